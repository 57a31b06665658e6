import { href, Link } from '../router';

const SCREENS = [
  { page: 'admin/users', label: 'Users' },
  { page: 'admin/robots', label: 'Robots' },
  { page: 'admin/gc', label: 'Garbage collection' },
  { page: 'admin/policies', label: 'Policies' },
];

/** The administration screens' tabs. */
export function AdminNav({ current }: { current: string }) {
  return (
    <nav class="tabs" aria-label="Administration">
      {SCREENS.map((s) => (
        <Link key={s.page} href={href(s.page)} aria-current={current === s.page ? 'page' : undefined}>{s.label}</Link>
      ))}
    </nav>
  );
}

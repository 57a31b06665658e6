import { useEffect, useRef, useState } from 'preact/hooks';
import { navigate } from './router';

/** How long typing must pause before the search is asked and written to the URL. */
export const SEARCH_DELAY_MS = 250;

/** A screen's search box: what it shows, what to call on input, and the (debounced, trimmed) term to ask for. */
export interface SearchBox {
  text: string;
  onInput: (value: string) => void;
  term: string;
}

/**
 * A search box whose text is the source of truth while the user types: each keystroke only changes the
 * box; after a pause of SEARCH_DELAY_MS the term is asked for and the URL follows it (replaced, not
 * pushed, so it survives a reload and can be shared). The URL's `q` comes back into the box only when
 * someone else changed it (back and forward, a link), never as an echo of what the box wrote, which
 * could overwrite keystrokes typed since.
 */
export function useSearchBox(q: string, hrefFor: (term: string) => string, delay = SEARCH_DELAY_MS): SearchBox {
  const [text, setText] = useState(q);
  const [term, setTerm] = useState(q);
  /** The last `q` this box wrote to the URL (or arrived with). */
  const written = useRef(q);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    if (q === written.current) return;
    clearTimeout(timer.current);
    written.current = q;
    setText(q);
    setTerm(q);
  }, [q]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const onInput = (value: string) => {
    setText(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const next = value.trim();
      setTerm(next);
      if (next === written.current) return;
      written.current = next;
      navigate(hrefFor(next), true);
    }, delay);
  };
  return { text, onInput, term };
}

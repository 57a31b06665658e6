import { allowedActions, grantAccess, patternMatches, Principal } from '../../../lambda/auth/grants';
import { formatScope, parseScope, parseScopes } from '../../../lambda/auth/scopes';

const user = (grants: Principal['grants'], extra: Partial<Principal> = {}): Principal => ({
  subject: 'alice', kind: 'user', admin: false, catalog: false, grants, ...extra,
});

describe('scope parsing', () => {
  it('repository:<name>:<actions> -> name and actions in canonical order', () => {
    expect(parseScope('repository:team/app:push,pull')).toEqual({ type: 'repository', name: 'team/app', actions: ['pull', 'push'] });
  });
  it('`*` means pull, push and delete; unknown actions are dropped', () => {
    expect(parseScope('repository:a:*')).toEqual({ type: 'repository', name: 'a', actions: ['pull', 'push', 'delete'] });
    expect(parseScope('repository:a:pull,fly')).toEqual({ type: 'repository', name: 'a', actions: ['pull'] });
  });
  it('registry:catalog:* is the catalog; other shapes are ignored', () => {
    expect(parseScope('registry:catalog:*')).toEqual({ type: 'registry', name: 'catalog' });
    expect(parseScope('registry:catalog:pull')).toBeNull();
    expect(parseScope('nonsense')).toBeNull();
  });
  it('a name the API would refuse (names.ts) makes the scope ignored', () => {
    for (const name of ['alice/../bob/app', 'alice/', '*', 'Team/App', 'a//b', 'a'.repeat(256)]) {
      expect(parseScope(`repository:${name}:pull`)).toBeNull();
    }
    expect(parseScopes(['repository:*:pull repository:ok/app:pull'])).toEqual([{ type: 'repository', name: 'ok/app', actions: ['pull'] }]);
  });
  it('several scope params (repeated, or space-separated) merge per repository', () => {
    const scopes = parseScopes(['repository:a:pull', 'repository:a:push repository:b:pull registry:catalog:*']);
    expect(scopes).toEqual([
      { type: 'repository', name: 'a', actions: ['pull', 'push'] },
      { type: 'repository', name: 'b', actions: ['pull'] },
      { type: 'registry', name: 'catalog' },
    ]);
  });
  it('formats back to the challenge form', () => {
    expect(formatScope({ type: 'repository', name: 'x/y', actions: ['pull', 'push'] })).toBe('repository:x/y:pull,push');
    expect(formatScope({ type: 'registry', name: 'catalog' })).toBe('registry:catalog:*');
  });
});

describe('pattern grants', () => {
  it.each([
    ['team/*', 'team/x', true], ['team/*', 'team/x/y', true], ['team/*', 'team', false], ['team/*', 'teams/x', false],
    ['app', 'app', true], ['app', 'app/x', false], ['*', 'any/thing', true],
  ])('%s matches %s: %s', (pattern, name, expected) => {
    expect(patternMatches(pattern, name)).toBe(expected);
  });

  it('actions on a repository are the union of matching grants', () => {
    const p = user([{ pattern: 'team/*', actions: ['pull'] }, { pattern: 'team/app', actions: ['push'] }, { pattern: 'other', actions: ['delete'] }]);
    expect(allowedActions(p, 'team/app')).toEqual(['pull', 'push']);
    expect(allowedActions(p, 'team/lib')).toEqual(['pull']);
    expect(allowedActions(p, 'elsewhere')).toEqual([]);
  });

  it('admins hold everything', () => {
    expect(allowedActions(user([], { admin: true }), 'x')).toEqual(['pull', 'push', 'delete']);
  });

  it('a token grants the intersection of what was requested and what is held', () => {
    const p = user([{ pattern: 'team/*', actions: ['pull', 'push'] }]);
    const access = grantAccess(p, parseScopes(['repository:team/a:pull,push,delete', 'repository:private:pull', 'registry:catalog:*']));
    expect(access).toEqual([{ type: 'repository', name: 'team/a', actions: ['pull', 'push'] }]);
    expect(grantAccess(user([], { catalog: true }), parseScopes(['registry:catalog:*'])))
      .toEqual([{ type: 'registry', name: 'catalog', actions: ['*'] }]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isStateKind, isTestState, stateDirectories } from './states';

void describe('the states of a checkout', () => {
  const entries = [
    { name: '.state', directory: true },
    { name: '.state-test', directory: true },
    { name: '.state-test-reliability', directory: true },
    { name: '.state-docker-test', directory: true },
    { name: '.state-main', directory: true },
    { name: '.state.json', directory: false },
    { name: 'src', directory: true },
    { name: 'dist', directory: true },
  ];

  void it("are network/'s directories named .state*; the tests' are .state-test* and .state-docker-test*", () => {
    assert.deepEqual(stateDirectories('/r/network', entries, 'all'), [
      '/r/network/.state',
      '/r/network/.state-docker-test',
      '/r/network/.state-main',
      '/r/network/.state-test',
      '/r/network/.state-test-reliability',
    ]);
    assert.deepEqual(stateDirectories('/r/network', entries, 'test'), ['/r/network/.state-docker-test', '/r/network/.state-test', '/r/network/.state-test-reliability']);
  });

  void it('tells a test state by its name, wherever it is', () => {
    assert.equal(isTestState('/tmp/x/.state-test-7'), true);
    assert.equal(isTestState('/r/network/.state'), false);
    assert.equal(isTestState('/r/network/.state-testing-notes'), true);
    assert.equal(isStateKind('test'), true);
    assert.equal(isStateKind('some'), false);
  });
});

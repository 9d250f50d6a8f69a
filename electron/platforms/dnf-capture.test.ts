import { describeRpmFixtures } from '../../test/capture/fixture-check';
import { parseDnf } from './dnf';

describeRpmFixtures({
  tool: 'dnf',
  parse: parseDnf,
  scenarios: ['updates', 'no-updateinfo', 'broken-repo', 'up-to-date'],
  failing: {
    name: 'broken-repo-strict',
    title: 'still fails the same way when a strict repository is unreachable',
  },
});

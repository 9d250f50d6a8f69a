import { describeRpmFixtures } from '../../test/capture/fixture-check';
import { parseZypper } from './zypper';

describeRpmFixtures({
  tool: 'zypper',
  parse: parseZypper,
  scenarios: ['updates', 'no-updateinfo', 'broken-repo', 'up-to-date'],
  failing: {
    name: 'locked',
    title: 'still reports a held zypp lock the same way (the holder pid aside)',
    normalize: (m) => m.replace(/pid \d+/, 'pid N'),
  },
});

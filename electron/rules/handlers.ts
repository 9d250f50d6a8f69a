import type { EventSink, RequestHandlers } from '../../shared/ipc';
import type { RULE_CHANNELS } from '../../shared/rules';
import type { RulesService } from './rules-service';

/** Requests for auto-approval rules. Adding or enabling a rule applies the enabled rules at once. */
export function ruleHandlers(
  rules: RulesService,
  events: EventSink,
): Pick<RequestHandlers, (typeof RULE_CHANNELS)[number]> {
  return {
    'rules.list': async () => rules.list(),
    'rules.add': async ({ definition, enabled }) => {
      const added = rules.add(definition, enabled ?? true);
      events('rules.changed', { count: 1 });
      if (added.enabled) rules.applyAll('rule added');
      return rules.list().find((r) => r.id === added.id) ?? added;
    },
    'rules.remove': async ({ id }) => {
      const r = rules.remove(id);
      events('rules.changed', { count: 1 });
      return r;
    },
    'rules.enable': async ({ id, enabled }) => {
      rules.setEnabled(id, enabled);
      events('rules.changed', { count: 1 });
      if (enabled) rules.applyAll('rule enabled');
      return rules.list().find((r) => r.id === id) ?? rules.setEnabled(id, enabled);
    },
    'rules.test': async (req) => rules.test(req),
    'rules.apply': async () => rules.applyAll('asked'),
  };
}

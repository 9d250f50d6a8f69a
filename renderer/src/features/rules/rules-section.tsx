/**
 * The Rules section of the Patches page (issue 9): auto-approval rules, what each would approve now ("Try
 * it"), and Apply now. Rules also run after every scan and when a plan run starts a ring.
 */
import { useCallback, useEffect, useState } from 'react';

import type { ApprovalRule, RuleDefinition, RuleEvaluation } from '../../../../shared/rules';
import { errorMessage } from '../../stores/errors';
import { useAppStore, useStoreApi } from '../../stores/store';
import { CLASSIFICATION_WORDS, RuleForm } from './rule-form';

/** What a rule matches, in words. */
function matchWords(r: RuleDefinition): string {
  const m = r.match;
  const parts = [
    m.securityOnly ? 'security fixes' : '',
    m.classifications?.map((c) => CLASSIFICATION_WORDS[c].toLowerCase()).join(' or ') ?? '',
    m.severities ? `severity ${m.severities.join(' or ')}` : '',
    m.packageManagers ? `from ${m.packageManagers.join(', ')}` : '',
    m.namePattern ? `named ${m.namePattern}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'every missing update';
}

function Evaluation({ result, title }: { result: RuleEvaluation; title: string }) {
  return (
    <div className="rule-result" data-testid="rule-result" role="status">
      <h3>{title}</h3>
      {result.approvals.length === 0 && result.held.length === 0 ? (
        <p className="muted">No missing update matches right now.</p>
      ) : null}
      <ul>
        {result.approvals.map((a) => (
          <li key={`${a.ruleName}/${a.ref.packageManager}/${a.ref.name}/${a.ref.version}`}>
            <strong>
              {a.ref.name} {a.ref.version}
            </strong>{' '}
            ({a.ref.packageManager}) for {a.scopeLabel}, on{' '}
            {a.machines.length > 6
              ? `${a.machines
                  .slice(0, 6)
                  .map((m) => m.name)
                  .join(', ')} and ${a.machines.length - 6} more`
              : a.machines.map((m) => m.name).join(', ')}
          </li>
        ))}
        {result.held.map((h) => (
          <li
            key={`held/${h.ruleName}/${h.ref.packageManager}/${h.ref.name}/${h.ref.version}`}
            className="muted"
          >
            Not yet: {h.ref.name} {h.ref.version} — {h.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The section. */
export function RulesSection() {
  const store = useStoreApi();
  const api = useAppStore((s) => s.api);
  const groups = useAppStore((s) => s.groups);
  const clients = useAppStore((s) => s.facets.clients);
  const [rules, setRules] = useState<ApprovalRule[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<{ title: string; value: RuleEvaluation } | null>(null);
  const [adding, setAdding] = useState(false);

  const load = useCallback(async () => {
    try {
      setRules(await api['rules.list']({}));
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [api]);
  useEffect(() => {
    void load();
    const s = store.getState();
    void s.loadGroups();
    void s.loadFacets();
    const offRules = api.on('rules.changed', () => void load());
    const offDecisions = api.on('decisions.changed', () => void load());
    return () => {
      offRules();
      offDecisions();
    };
  }, [api, load, store]);

  const attempt = async (f: () => Promise<void>): Promise<string | null> => {
    try {
      await f();
      return null;
    } catch (e) {
      return errorMessage(e);
    }
  };
  const tryRule = (definition: RuleDefinition) =>
    attempt(async () => {
      const value = await api['rules.test']({ definition });
      setResult({ title: `“${definition.name}” would approve now`, value });
    });
  const save = (definition: RuleDefinition) =>
    attempt(async () => {
      const r = await api['rules.add']({ definition });
      store
        .getState()
        .toast(
          'success',
          `Rule “${r.name}” saved: ${r.approvals} ${r.approvals === 1 ? 'update' : 'updates'} approved so far`,
        );
      setResult(null);
      setAdding(false);
      await load();
    });
  const act = async (f: () => Promise<unknown>) => {
    const problem = await attempt(async () => {
      await f();
      await load();
    });
    if (problem) store.getState().toast('error', problem);
  };

  return (
    <section className="card rules-section" aria-labelledby="rules-heading" data-testid="rules-section">
      <h2 id="rules-heading">Rules</h2>
      <p className="muted">
        Rules approve missing updates by themselves — after every scan and when a plan starts its next ring. A
        decline always wins over a rule; an approval you remove is not put back. Each approval is in the audit
        log with the rule’s name.
      </p>
      {error ? <p className="form-error">{error}</p> : null}
      {rules && rules.length > 0 ? (
        <table className="simple-table rules-table" aria-label="Rules" data-testid="rules-table">
          <thead>
            <tr>
              <th>Rule</th>
              <th>Approves</th>
              <th>For</th>
              <th>When</th>
              <th>Approved so far</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => (
              <tr key={r.id} data-testid="rule-row" data-name={r.name}>
                <td>
                  {r.name}
                  {r.enabled ? null : <span className="badge"> Off</span>}
                </td>
                <td>{matchWords(r)}</td>
                <td>{r.scopeLabel}</td>
                <td>{r.soakLabel}</td>
                <td>{r.approvals}</td>
                <td className="rules-actions">
                  <button
                    type="button"
                    className="button button-ghost"
                    onClick={() =>
                      void attempt(async () =>
                        setResult({
                          title: `“${r.name}” would approve now`,
                          value: await api['rules.test']({ id: r.id }),
                        }),
                      ).then((p) => p && store.getState().toast('error', p))
                    }
                  >
                    Try it
                  </button>
                  <button
                    type="button"
                    className="button button-ghost"
                    onClick={() => void act(() => api['rules.enable']({ id: r.id, enabled: !r.enabled }))}
                  >
                    {r.enabled ? 'Turn off' : 'Turn on'}
                  </button>
                  <button
                    type="button"
                    className="button button-ghost"
                    aria-label={`Remove rule ${r.name}`}
                    onClick={() => void act(() => api['rules.remove']({ id: r.id }))}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : rules ? (
        <p className="muted" data-testid="rules-empty">
          No rules yet: every update waits for you to approve it.
        </p>
      ) : null}
      <div className="rules-toolbar">
        {adding ? null : (
          <button type="button" className="button" data-testid="rule-new" onClick={() => setAdding(true)}>
            New rule
          </button>
        )}
        {rules && rules.length > 0 ? (
          <button
            type="button"
            className="button"
            onClick={() =>
              void attempt(async () =>
                setResult({ title: 'Approved now', value: await api['rules.apply']({}) }),
              ).then((p) => p && store.getState().toast('error', p))
            }
          >
            Apply now
          </button>
        ) : null}
      </div>
      {adding ? <RuleForm groups={groups} clients={clients} onTry={tryRule} onSave={save} /> : null}
      {result ? <Evaluation result={result.value} title={result.title} /> : null}
    </section>
  );
}

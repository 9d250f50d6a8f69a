/** The "New rule" form: what a rule matches, where it approves and when; "Try it" shows what it would do. */
import { useState } from 'react';

import type { Group } from '../../../../shared/domain';
import {
  RULE_CLASSIFICATIONS,
  type RuleClassification,
  type RuleDefinition,
  type RuleScope,
} from '../../../../shared/rules';

/** Words for the classification ids. */
export const CLASSIFICATION_WORDS: Record<RuleClassification, string> = {
  security: 'Security updates',
  critical: 'Critical updates (Windows)',
  definition: 'Definition updates (Windows Defender)',
  'update-rollup': 'Update rollups (Windows)',
  'feature-pack': 'Feature packs (Windows)',
  driver: 'Drivers (Windows)',
  update: 'Other updates',
  'service-pack': 'Service packs (Windows)',
  tool: 'Tools (Windows)',
  upgrade: 'Upgrades (Windows)',
  other: 'Unclassified (Windows)',
};

/** The form's fields as typed (strings), turned into a definition on submit. */
interface Draft {
  name: string;
  securityOnly: boolean;
  classification: '' | RuleClassification;
  severities: string;
  packageManagers: string;
  namePattern: string;
  where: string;
  soakGroup: string;
  soakDays: string;
}

const EMPTY: Draft = {
  name: '',
  securityOnly: true,
  classification: '',
  severities: '',
  packageManagers: '',
  namePattern: '',
  where: 'all',
  soakGroup: '',
  soakDays: '7',
};

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** The definition the draft describes, or the problem in words. */
function toDefinition(d: Draft): RuleDefinition | string {
  if (d.name.trim() === '') return 'Give the rule a name.';
  const [kind, ...rest] = d.where.split(':');
  const arg = rest.join(':');
  const scope: RuleScope =
    kind === 'group'
      ? { kind: 'group', groupId: Number(arg) }
      : kind === 'client'
        ? { kind: 'client', client: arg }
        : { kind: 'all' };
  let soak: RuleDefinition['soak'] = null;
  if (d.soakGroup !== '') {
    if (!/^\d+$/.test(d.soakDays.trim())) return 'Days in the pilot group: a whole number, 0 to 365.';
    soak = { groupId: Number(d.soakGroup), days: Number(d.soakDays.trim()) };
  }
  return {
    name: d.name.trim(),
    match: {
      ...(d.securityOnly ? { securityOnly: true } : {}),
      ...(d.classification ? { classifications: [d.classification] } : {}),
      ...(list(d.severities).length ? { severities: list(d.severities) } : {}),
      ...(list(d.packageManagers).length ? { packageManagers: list(d.packageManagers) } : {}),
      ...(d.namePattern.trim() ? { namePattern: d.namePattern.trim() } : {}),
    },
    scope,
    soak,
  };
}

/** The form. `onTry` and `onSave` answer an error message, or null when they went through. */
export function RuleForm(props: {
  groups: readonly Group[];
  clients: readonly string[];
  onTry: (d: RuleDefinition) => Promise<string | null>;
  onSave: (d: RuleDefinition) => Promise<string | null>;
}) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [error, setError] = useState<string | null>(null);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft({ ...draft, [k]: v });
  const run = async (what: 'try' | 'save') => {
    const def = toDefinition(draft);
    if (typeof def === 'string') return setError(def);
    const problem = await (what === 'try' ? props.onTry(def) : props.onSave(def));
    setError(problem);
    if (!problem && what === 'save') setDraft(EMPTY);
  };
  return (
    <form
      className="rule-form"
      data-testid="rule-form"
      onSubmit={(e) => {
        e.preventDefault();
        void run('save');
      }}
    >
      <div className="rule-form-grid">
        <label>
          Name{' '}
          <input
            className="input"
            data-testid="rule-name"
            value={draft.name}
            placeholder="Security fixes: pilot at once"
            onChange={(e) => set('name', e.target.value)}
          />
        </label>
        <label>
          <input
            type="checkbox"
            data-testid="rule-security"
            checked={draft.securityOnly}
            onChange={(e) => set('securityOnly', e.target.checked)}
          />{' '}
          Security fixes only
        </label>
        <label>
          Kind of update{' '}
          <select
            className="input"
            data-testid="rule-classification"
            value={draft.classification}
            onChange={(e) => set('classification', e.target.value as Draft['classification'])}
          >
            <option value="">Any</option>
            {RULE_CLASSIFICATIONS.map((c) => (
              <option key={c} value={c}>
                {CLASSIFICATION_WORDS[c]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Severity{' '}
          <input
            className="input"
            data-testid="rule-severities"
            value={draft.severities}
            placeholder="any (or e.g. Critical, Important)"
            onChange={(e) => set('severities', e.target.value)}
          />
        </label>
        <label>
          Package manager{' '}
          <input
            className="input"
            data-testid="rule-pms"
            value={draft.packageManagers}
            placeholder="any (or e.g. apt, dnf, wua)"
            onChange={(e) => set('packageManagers', e.target.value)}
          />
        </label>
        <label>
          Package name{' '}
          <input
            className="input"
            data-testid="rule-pattern"
            value={draft.namePattern}
            placeholder="any (or e.g. openssl*, KB50?????)"
            onChange={(e) => set('namePattern', e.target.value)}
          />
        </label>
        <label>
          Approve for{' '}
          <select
            className="input"
            data-testid="rule-where"
            value={draft.where}
            onChange={(e) => set('where', e.target.value)}
          >
            <option value="all">Every machine</option>
            {props.groups.map((g) => (
              <option key={g.id} value={`group:${g.id}`}>
                Group {g.name}
              </option>
            ))}
            {props.clients
              .filter((c) => c !== '')
              .map((c) => (
                <option key={c} value={`client:${c}`}>
                  Client {c}
                </option>
              ))}
          </select>
        </label>
        <label>
          When{' '}
          <select
            className="input"
            data-testid="rule-soak-group"
            value={draft.soakGroup}
            onChange={(e) => set('soakGroup', e.target.value)}
          >
            <option value="">At once</option>
            {props.groups.map((g) => (
              <option key={g.id} value={String(g.id)}>
                After days in group {g.name} without a failed machine
              </option>
            ))}
          </select>
        </label>
        {draft.soakGroup !== '' ? (
          <label>
            Days{' '}
            <input
              className="input rule-days"
              inputMode="numeric"
              data-testid="rule-soak-days"
              value={draft.soakDays}
              onChange={(e) => set('soakDays', e.target.value)}
            />
          </label>
        ) : null}
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="rule-form-actions">
        <button type="button" className="button" data-testid="rule-try" onClick={() => void run('try')}>
          Try it
        </button>
        <button type="submit" className="button button-primary" data-testid="rule-save">
          Save rule
        </button>
      </div>
    </form>
  );
}

// A funnel of 2–8 steps picked from real values (the period's pages, element
// labels and event names), with conversion and drop-off per step and what those
// who dropped off did instead.
import type { FunnelStep } from '@eventline/contract/read-api';
import { useState } from 'preact/hooks';
import type { FunnelResponse } from '../api.ts';
import { FUNNEL_KINDS, MAX_STEPS, splitPair } from '../analyze-state.ts';
import { formatCount } from '../format.ts';
import { formatPercent } from '../format-v2.ts';
import type { QueryState } from '../use-query.ts';
import { Status } from './status.tsx';

const KIND_LABELS: Record<(typeof FUNNEL_KINDS)[number], string> = {
  pageview: 'Viewed page',
  click: 'Clicked',
  input: 'Filled in',
  toggle_on: 'Checked',
  toggle_off: 'Unchecked',
  custom: 'Event',
};

export function stepLabel(step: string): string {
  const [kind, value] = splitPair(step);
  return `${KIND_LABELS[kind as keyof typeof KIND_LABELS] ?? kind} ${value}`;
}

export function FunnelPanel(props: {
  steps: FunnelStep[];
  onSteps: (steps: FunnelStep[]) => void;
  state: QueryState<FunnelResponse> | undefined;
  /** Values to suggest per step kind. */
  suggestions: { pageview: string[]; element: string[]; custom: string[] };
  rangeNote: string | undefined;
}) {
  const [kind, setKind] = useState<(typeof FUNNEL_KINDS)[number]>('pageview');
  const [value, setValue] = useState('');
  const list =
    kind === 'pageview'
      ? props.suggestions.pageview
      : kind === 'custom'
        ? props.suggestions.custom
        : props.suggestions.element;
  const data = props.state?.data;
  const first = data?.steps[0]?.actors ?? 0;
  return (
    <section class="panel funnel" data-testid="funnel" aria-busy={props.state?.loading ?? false}>
      <h2>
        Funnel <span class="hint">sessions doing the steps in order within a day</span>
      </h2>
      {props.steps.length > 0 && (
        <ol class="funnel-steps" aria-label="Steps">
          {props.steps.map((step, i) => (
            <li key={`${i}-${step}`}>
              <span class="step-name">{stepLabel(step)}</span>
              <button
                type="button"
                class="link-button"
                aria-label={`Remove step ${i + 1}: ${stepLabel(step)}`}
                onClick={() => props.onSteps(props.steps.filter((_, j) => j !== i))}
              >
                Remove
              </button>
            </li>
          ))}
        </ol>
      )}
      {props.steps.length < MAX_STEPS && (
        <form
          class="step-form"
          aria-label="Add a funnel step"
          onSubmit={(e) => {
            e.preventDefault();
            const text = value.trim();
            if (!text) return;
            props.onSteps([...props.steps, `${kind}:${text}` as FunnelStep]);
            setValue('');
          }}
        >
          <label>
            Step {props.steps.length + 1}
            <select name="step-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as typeof kind)}>
              {FUNNEL_KINDS.map((k) => (
                <option key={k} value={k}>
                  {KIND_LABELS[k]}
                </option>
              ))}
            </select>
          </label>
          <label class="grow">
            Value
            <input
              type="text"
              name="step-value"
              list="step-values"
              autoComplete="off"
              maxLength={200}
              placeholder={kind === 'pageview' ? '/pricing' : kind === 'custom' ? 'signup' : 'Buy now'}
              value={value}
              onInput={(e) => setValue(e.currentTarget.value)}
            />
            <datalist id="step-values">
              {list.map((v) => (
                <option key={v} value={v} />
              ))}
            </datalist>
          </label>
          <button type="submit" disabled={!value.trim()}>
            Add step
          </button>
        </form>
      )}
      {props.steps.length < 2 && <p class="state empty">Add at least two steps.</p>}
      {props.rangeNote && <p class="hint">{props.rangeNote}</p>}
      {props.state && <Status state={props.state} empty={false} emptyText="" />}
      {data && props.steps.length >= 2 && (
        <ol class="funnel-bars" data-testid="funnel-result">
          {data.steps.map((step, i) => (
            <li key={`${i}-${step.step}`} data-step={step.step}>
              <div class="funnel-label">
                <span>
                  {i + 1}. {stepLabel(step.step)}
                </span>
                <span class="count" data-testid="funnel-actors">
                  {formatCount(step.actors)} · {formatPercent(step.conversion)}
                </span>
              </div>
              <div class="funnel-track" aria-hidden="true">
                <span class="funnel-fill" style={{ width: `${first ? (step.actors / first) * 100 : 0}%` }} />
              </div>
              {i < data.steps.length - 1 && step.dropOff > 0 && (
                <details class="drop-off">
                  <summary>
                    {formatCount(step.dropOff)} dropped off (
                    {formatPercent(step.actors ? step.dropOff / step.actors : null)}) — what they did instead
                  </summary>
                  <ul>
                    {step.nextActions.map((next) => (
                      <li key={next.action}>
                        {next.action === '(none)' ? 'Nothing more' : stepLabel(next.action)}: {formatCount(next.actors)}
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

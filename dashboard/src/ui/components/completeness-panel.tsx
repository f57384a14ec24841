// Data completeness: events received against those the sessions' sequence
// numbers call for, missing events, duplicates, reused sequence numbers, and
// the sessions with gaps or reused numbers.
import type { Completeness, CompletenessFigures } from '../api.ts';
import { completenessVerdict } from '../completeness-verdict.ts';
import { formatCount, percentComplete, shortId } from '../format.ts';
import type { QueryState } from '../use-query.ts';
import { Status } from './status.tsx';

function Figures(props: { figures: CompletenessFigures }) {
  const f = props.figures;
  return (
    <dl class="figures">
      <div>
        <dt>Received / expected</dt>
        <dd data-testid="completeness-received">
          {formatCount(f.received)} / {formatCount(f.expected)}
        </dd>
      </div>
      <div>
        <dt>Missing</dt>
        <dd class={f.missing > 0 ? 'bad' : 'good'} data-testid="completeness-missing">
          {formatCount(f.missing)}
        </dd>
      </div>
      <div>
        <dt>Sessions with gaps</dt>
        <dd class={f.sessionsWithGaps > 0 ? 'bad' : 'good'} data-testid="completeness-sessions">
          {formatCount(f.sessionsWithGaps)} <span class="of">of {formatCount(f.sessions)}</span>
        </dd>
      </div>
      <div>
        <dt title="Events stored more than once (same id at different times); must be 0">Duplicates</dt>
        <dd class={f.duplicates > 0 ? 'bad' : 'good'} data-testid="completeness-duplicates">
          {formatCount(f.duplicates)}
        </dd>
      </div>
      <div>
        <dt title="Sequence numbers that two different events of one session carry (two senders numbered the session); must be 0">
          Reused numbers
        </dt>
        <dd class={f.reusedSeqs > 0 ? 'bad' : 'good'} data-testid="completeness-reused">
          {formatCount(f.reusedSeqs)}
        </dd>
      </div>
    </dl>
  );
}

export function CompletenessPanel(props: { state: QueryState<Completeness>; onRetry: () => void }) {
  const data = props.state.data;
  const verdict = data && data.total.sessions > 0 ? completenessVerdict(data.total) : undefined;
  return (
    <section class="panel completeness" data-testid="completeness" aria-busy={props.state.loading}>
      <h2>
        Data completeness
        <span class={`total ${verdict?.tone ?? ''}`} data-testid="completeness-ratio">
          {data ? percentComplete(data.total.completeness) : '…'}
        </span>
        <span
          class="hint"
          title="Expected = per session, highest − lowest sequence number seen in the range + 1. Type and search filters do not apply."
        >
          from per-session sequence numbers, all types
        </span>
      </h2>
      <Status
        state={props.state}
        empty={data?.total.sessions === 0}
        emptyText="No events in this range"
        onRetry={props.onRetry}
      />
      {data && verdict && (
        <>
          <p class={`verdict ${verdict.tone}`} data-testid="completeness-verdict">
            <strong>{verdict.headline}.</strong> {verdict.detail}
          </p>
          <Figures figures={data.total} />
          {data.sites.length > 1 && (
            <table class="sites">
              <thead>
                <tr>
                  <th>Site</th>
                  <th>Complete</th>
                  <th>Received / expected</th>
                  <th>Missing</th>
                  <th>Duplicates</th>
                  <th>Reused numbers</th>
                </tr>
              </thead>
              <tbody>
                {data.sites.map((site) => (
                  <tr key={site.site}>
                    <td>{site.site}</td>
                    <td>{percentComplete(site.completeness)}</td>
                    <td>
                      {formatCount(site.received)} / {formatCount(site.expected)}
                    </td>
                    <td>{formatCount(site.missing)}</td>
                    <td>{formatCount(site.duplicates)}</td>
                    <td>{formatCount(site.reusedSeqs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {data.gapExamples.length > 0 && (
            <details class="gaps">
              <summary>
                Sessions with gaps (
                {data.gapExamples.length === data.total.sessionsWithGaps
                  ? 'all'
                  : `${data.gapExamples.length} with the most missing`}
                )
              </summary>
              <table>
                <thead>
                  <tr>
                    <th>Site</th>
                    <th>Session</th>
                    <th>Sequence seen</th>
                    <th>Missing</th>
                    <th>Missing numbers</th>
                  </tr>
                </thead>
                <tbody>
                  {data.gapExamples.map((gap) => (
                    <tr
                      key={`${gap.site}\u0000${gap.sessionId}\u0000${gap.tabId ?? ''}`}
                      data-session-id={gap.sessionId}
                    >
                      <td>{gap.site}</td>
                      <td class="session" title={gap.sessionId}>
                        {shortId(gap.sessionId)}
                      </td>
                      <td>
                        {gap.firstSeq}–{gap.lastSeq}
                      </td>
                      <td>{formatCount(gap.missing)}</td>
                      <td>
                        {gap.ranges.map(([from, to]) => (from === to ? `${from}` : `${from}–${to}`)).join(', ')}
                        {gap.ranges.reduce((sum, [from, to]) => sum + to - from + 1, 0) < gap.missing && ', …'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          )}
          {data.reusedSeqExamples.length > 0 && (
            <details class="reused">
              <summary>Sessions with reused numbers</summary>
              <table>
                <thead>
                  <tr>
                    <th>Site</th>
                    <th>Session</th>
                    <th>Reused</th>
                    <th>Reused numbers</th>
                  </tr>
                </thead>
                <tbody>
                  {data.reusedSeqExamples.map((example) => (
                    <tr
                      key={`${example.site}\u0000${example.sessionId}\u0000${example.tabId ?? ''}`}
                      data-session-id={example.sessionId}
                    >
                      <td>{example.site}</td>
                      <td class="session" title={example.sessionId}>
                        {shortId(example.sessionId)}
                      </td>
                      <td>{formatCount(example.reused)}</td>
                      <td>
                        {example.seqs.join(', ')}
                        {example.seqs.length < example.reused && ', …'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          )}
        </>
      )}
    </section>
  );
}

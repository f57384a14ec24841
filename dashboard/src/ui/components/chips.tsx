// The filter chips: each narrows every answer to one value of a dimension; all
// of them hold together. A shared view's chips are fixed by the link.
import { DIMENSION_LABELS, splitPair, type Dimension } from '../analyze-state.ts';

export function Chips(props: {
  chips: string[];
  /** Chips a share link fixes: shown without a remove button. */
  fixed: ReadonlySet<string>;
  onRemove: (chip: string) => void;
  note?: string | undefined;
}) {
  if (props.chips.length === 0) return null;
  return (
    <div class="chips" role="group" aria-label="Filters" data-testid="chips">
      {props.chips.map((chip) => {
        const [dimension, value] = splitPair(chip);
        const name = DIMENSION_LABELS[dimension as Dimension] ?? dimension;
        return (
          <span class="chip" key={chip} data-chip={chip}>
            <span class="chip-dimension">{name}</span> <span class="chip-value">{value}</span>
            {!props.fixed.has(chip) && (
              <button type="button" aria-label={`Remove filter ${name}: ${value}`} onClick={() => props.onRemove(chip)}>
                ×
              </button>
            )}
          </span>
        );
      })}
      {props.note && <span class="hint">{props.note}</span>}
    </div>
  );
}

/**
 * The params form, generated from the front matter's params schema (the snapshot's
 * `params.schema`): a select for an enum, a checkbox for a boolean, number, date and text inputs.
 * A committed change (`change` event: blur, Enter, a pick) calls `onChange` with that one value.
 * `readOnly` (a user who may not run the notebook) shows the values in disabled fields.
 */
import type { Snapshot } from '../session.js';

type Spec = Snapshot['params']['schema'][number];
export type ParamValue = string | number | boolean;

function inputType(spec: Spec): 'number' | 'date' | 'datetime-local' | 'text' {
  switch (spec.type) {
    case 'number':
    case 'integer':
      return 'number';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime-local';
    default:
      return 'text';
  }
}

/** The typed value of an input's text, or undefined when it does not fit the type. */
export function parseParamInput(spec: Spec, text: string): ParamValue | undefined {
  if (spec.type === 'number' || spec.type === 'integer') {
    if (text.trim() === '') return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || (spec.type === 'integer' && !Number.isInteger(n))) return undefined;
    return n;
  }
  return text;
}

export function ParamsForm({
  schema,
  values,
  readOnly = false,
  onChange,
}: {
  schema: Snapshot['params']['schema'];
  values: Snapshot['params']['values'];
  readOnly?: boolean;
  onChange: (name: string, value: ParamValue) => void;
}) {
  if (schema.length === 0) return null;
  return (
    <form class="params-form" onSubmit={(e) => e.preventDefault()} aria-label="Parameters">
      {schema.map((spec) => {
        const value = values[spec.name] ?? spec.default;
        const id = `param-${spec.name}`;
        let input;
        if (spec.enum) {
          const options = spec.enum;
          input = (
            <select
              id={id}
              name={spec.name}
              disabled={readOnly}
              value={String(options.findIndex((o) => o === value))}
              onChange={(e) => {
                const picked = options[Number((e.target as HTMLSelectElement).value)];
                if (picked !== undefined) onChange(spec.name, picked);
              }}
            >
              {options.map((option, i) => (
                <option key={i} value={String(i)}>
                  {String(option)}
                </option>
              ))}
            </select>
          );
        } else if (spec.type === 'boolean') {
          input = (
            <input
              id={id}
              name={spec.name}
              disabled={readOnly}
              type="checkbox"
              checked={value === true}
              onChange={(e) => onChange(spec.name, (e.target as HTMLInputElement).checked)}
            />
          );
        } else {
          input = (
            <input
              id={id}
              name={spec.name}
              disabled={readOnly}
              type={inputType(spec) as 'text'}
              value={value === undefined ? '' : String(value)}
              min={spec.min}
              max={spec.max}
              step={spec.type === 'number' ? 'any' : undefined}
              onChange={(e) => {
                const parsed = parseParamInput(spec, (e.target as HTMLInputElement).value);
                if (parsed !== undefined) onChange(spec.name, parsed);
              }}
            />
          );
        }
        return (
          <label key={spec.name} class="param" for={id} title={spec.description}>
            <span class="param-name">{spec.name}</span>
            {input}
          </label>
        );
      })}
    </form>
  );
}

// Escaped HTML: a tagged template that escapes every interpolated value unless it is already markup.

/** Markup that is safe to insert as is: made only by `html` or `join`. */
export class Html {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for use in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

type Value = Html | string | number | readonly Html[] | undefined | null | false;

function render(value: Value): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof Html) return value.toString();
  if (Array.isArray(value)) return value.map((part: Html) => part.toString()).join('');
  return escapeHtml(String(value));
}

/**
 * Builds markup from a template: strings and numbers are escaped, `Html` values and arrays of
 * them are inserted as they are, `undefined`/`null`/`false` render nothing.
 * @example html`<p>${userInput}</p>`
 */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

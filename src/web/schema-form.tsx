import type { JsonSchema } from './api-types.ts'

/** A form field made from one property of a connector's JSON Schema. */
export interface FormField {
  name: string
  label: string
  kind: 'text' | 'password' | 'url' | 'number' | 'select' | 'checkbox'
  required: boolean
  description: string | null
  options: string[]
  default: unknown
  /** Shown at once (required, or where the HR system is); the others under "More settings". */
  primary: boolean
}

const SECRET_NAMES = /secret|password|token|key$/i

/** `clientId` → "Client id", `baseUrl` → "Base URL". */
export function labelOf(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .replace(/\b(url|id|api)\b/g, (w) => w.toUpperCase())
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/**
 * The fields of a connector's config or credential schema, in its order. Objects nested inside
 * (Personio's `attributes`) are left out: their defaults hold, the API takes them.
 */
export function formFields(schema: JsonSchema | null, secret: boolean): FormField[] {
  if (schema?.properties === undefined) return []
  const required = new Set(schema.required ?? [])
  return Object.entries(schema.properties).flatMap(([name, prop]): FormField[] => {
    const type = Array.isArray(prop.type) ? prop.type[0] : prop.type
    if (type === 'object' || type === 'array') return []
    const options = prop.enum?.map(String) ?? []
    const kind: FormField['kind'] =
      options.length > 0
        ? 'select'
        : type === 'boolean'
          ? 'checkbox'
          : type === 'number' || type === 'integer'
            ? 'number'
            : prop.format === 'uri'
              ? 'url'
              : secret && SECRET_NAMES.test(name)
                ? 'password'
                : 'text'
    const isRequired = required.has(name) && prop.default === undefined
    return [
      {
        name,
        label: labelOf(name),
        kind,
        required: isRequired,
        description: prop.description ?? null,
        options,
        default: prop.default,
        primary: secret || isRequired || kind === 'url',
      },
    ]
  })
}

/** Form values as the API takes them: numbers as numbers, empty fields left out. */
export function formValues(
  fields: readonly FormField[],
  values: Readonly<Record<string, string | boolean>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    const v = values[f.name]
    if (v === undefined || v === '') continue
    if (f.kind === 'checkbox') out[f.name] = v === true
    else if (f.kind === 'number') out[f.name] = Number(v)
    else out[f.name] = typeof v === 'string' ? v.trim() : v
  }
  return out
}

export function SchemaField(props: {
  field: FormField
  value: string | boolean | undefined
  onChange: (value: string | boolean) => void
  idPrefix: string
}) {
  const { field } = props
  const id = `${props.idPrefix}-${field.name}`
  const help = field.description === null ? undefined : `${id}-help`
  const placeholder =
    field.kind !== 'select' &&
    (typeof field.default === 'string' || typeof field.default === 'number')
      ? String(field.default)
      : undefined
  if (field.kind === 'checkbox') {
    return (
      <div className="field checkbox">
        <input
          id={id}
          type="checkbox"
          checked={props.value === true || (props.value === undefined && field.default === true)}
          onChange={(e) => {
            props.onChange(e.target.checked)
          }}
          aria-describedby={help}
        />
        <label htmlFor={id}>{field.label}</label>
        {help !== undefined && (
          <small id={help} className="muted">
            {field.description}
          </small>
        )}
      </div>
    )
  }
  return (
    <div className="field">
      <label htmlFor={id}>
        {field.label}
        {field.required && <span aria-hidden="true"> *</span>}
      </label>
      {field.kind === 'select' ? (
        <select
          id={id}
          value={
            typeof props.value === 'string'
              ? props.value
              : typeof field.default === 'string'
                ? field.default
                : ''
          }
          onChange={(e) => {
            props.onChange(e.target.value)
          }}
          aria-describedby={help}
        >
          {field.default === undefined && <option value="">—</option>}
          {field.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          type={
            field.kind === 'password' ? 'password' : field.kind === 'number' ? 'number' : 'text'
          }
          inputMode={field.kind === 'url' ? 'url' : undefined}
          autoComplete={field.kind === 'password' ? 'new-password' : 'off'}
          spellCheck={false}
          required={field.required}
          placeholder={placeholder}
          value={typeof props.value === 'string' ? props.value : ''}
          onChange={(e) => {
            props.onChange(e.target.value)
          }}
          aria-describedby={help}
        />
      )}
      {help !== undefined && (
        <small id={help} className="muted">
          {field.description}
        </small>
      )}
    </div>
  )
}

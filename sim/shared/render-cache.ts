/**
 * Text made once per version of a record (an edit makes a new object), per key (which fields,
 * which language) and per dependency it names (the supervisor): a page or a report is then
 * mostly joined text, as a real API's servers answer many requests at once, not one after
 * another. The last four keys of a record are kept.
 */
export const createRenderCache = () => {
  const cache = new WeakMap<object, { key: string; dependency: unknown; text: string }[]>()
  return (record: object, key: string, dependency: unknown, render: () => string): string => {
    const versions = cache.get(record) ?? []
    const hit = versions.find((v) => v.key === key && v.dependency === dependency)
    if (hit) return hit.text
    const text = render()
    cache.set(record, [...versions.slice(-3), { key, dependency, text }])
    return text
  }
}

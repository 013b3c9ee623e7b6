// Word lists for generated people: German-speaking and European names, with umlauts and accents.

export type Gender = 'male' | 'female' | 'diverse'

export const FIRST_NAMES: readonly (readonly [string, Gender])[] = [
  ['Jürgen', 'male'],
  ['Zoë', 'female'],
  ['Mehmet', 'male'],
  ['Chloé', 'female'],
  ['Łukasz', 'male'],
  ['Björn', 'male'],
  ['Ängela', 'female'],
  ['Sören', 'male'],
  ['Renée', 'female'],
  ['José', 'male'],
  ['Inés', 'female'],
  ['François', 'male'],
  ['Anaïs', 'female'],
  ['Jörg', 'male'],
  ['Gülay', 'female'],
  ['Çağlar', 'male'],
  ['Małgorzata', 'female'],
  ['Dörte', 'female'],
  ['Uwe', 'male'],
  ['Hélène', 'female'],
  ['Nikolaj', 'male'],
  ['Åsa', 'female'],
  ['Kai', 'diverse'],
  ['Alex', 'diverse'],
  ['Anna', 'female'],
  ['Lena', 'female'],
  ['Sophie', 'female'],
  ['Marie', 'female'],
  ['Leonie', 'female'],
  ['Johanna', 'female'],
  ['Katharina', 'female'],
  ['Sabine', 'female'],
  ['Maximilian', 'male'],
  ['Lukas', 'male'],
  ['Felix', 'male'],
  ['Jonas', 'male'],
  ['Paul', 'male'],
  ['Tobias', 'male'],
  ['Matthias', 'male'],
  ['Stefan', 'male'],
  ['Thomas', 'male'],
  ['Fatma', 'female'],
  ['Aylin', 'female'],
  ['Dimitri', 'male'],
  ['Élodie', 'female'],
  ['Henrik', 'male'],
]

export const LAST_NAMES: readonly string[] = [
  'Müller',
  'Schröder',
  'Öztürk',
  'Saldaña',
  'Dubois',
  'Nowak',
  'Weiß',
  'Groß',
  'Krämer',
  'Jäger',
  'Günther',
  'Böhm',
  'Schäfer',
  'Köhler',
  'Lüdecke',
  'Straßburger',
  'García',
  'Peña',
  'Lefèvre',
  'Åkesson',
  'Wiśniewska',
  'Dvořák',
  'Yılmaz',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Meyer',
  'Wagner',
  'Becker',
  'Hoffmann',
  'Koch',
  'Richter',
  'Klein',
  'Wolf',
  'Neumann',
  'Schwarz',
  'Zimmermann',
  'Braun',
  'Hofmann',
  'Hartmann',
  'Lange',
  'Schmitt',
  'Werner',
  'Krause',
  'Lehmann',
  'von der Heide',
  'Müller-Lüdenscheidt',
  "O'Brien",
]

export const NICKNAMES: Readonly<Record<string, string>> = {
  Maximilian: 'Max',
  Katharina: 'Kathi',
  Johanna: 'Hanna',
  Nikolaj: 'Niko',
  Małgorzata: 'Gosia',
  Matthias: 'Matze',
  Tobias: 'Tobi',
  Jürgen: 'Jürgi',
}

const FOLD: Readonly<Record<string, string>> = {
  ä: 'ae',
  ö: 'oe',
  ü: 'ue',
  ß: 'ss',
  Ä: 'ae',
  Ö: 'oe',
  Ü: 'ue',
  ł: 'l',
  Ł: 'l',
  ı: 'i',
  å: 'a',
  Å: 'a',
}

/** The ASCII local part an email address gets from a name: 'Jürgen Müller' → 'juergen.mueller'. */
export const emailLocalPart = (...names: readonly string[]): string =>
  names
    .map((name) =>
      Array.from(name)
        .map((ch) => FOLD[ch] ?? ch)
        .join('')
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, ''),
    )
    .join('.')

/** The version of this program suite (package.json keeps the same number). */
export const VERSION = '0.1.0';

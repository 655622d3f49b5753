// JSON can carry a lone UTF-16 surrogate ("\ud800"); UTF-8 cannot, so a database stores U+FFFD in
// its place and two different strings become one, and some validators throw on it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

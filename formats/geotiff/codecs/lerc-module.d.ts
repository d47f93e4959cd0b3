/** The `lerc` package (UMD) ships no type declarations; codecs/lerc.ts types what it uses. */
declare module 'lerc' {
  const Lerc: unknown;
  export default Lerc;
}

// React 18 ships no types and @types/react is not installed here: the entry point (index.ts) sees
// the host's React through the small interface the panel uses.
declare module 'react' {
  const React: import('./react-types.ts').ReactLike;
  export default React;
}

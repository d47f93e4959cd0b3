// cornerstone-core ships a UMD bundle without types; plugin/viewer/cornerstone/cornerstone.ts types what it uses.
declare module 'cornerstone-core/dist/cornerstone.js' {
  const cornerstone: unknown;
  export default cornerstone;
}

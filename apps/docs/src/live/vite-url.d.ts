// Vite's `?url` imports (the threads build of the core, served as an asset).
declare module '*?url' {
  const url: string;
  export default url;
}

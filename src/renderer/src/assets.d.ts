// Side-effect stylesheet imports (e.g. uPlot's CSS): Vite bundles them; TypeScript only needs to know they exist.
declare module '*.css';

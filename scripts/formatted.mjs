// The files Prettier keeps: the code of every part of the tree, and nothing generated.
export const FORMATTED = [
  '{src,test,bench,scripts}/**/*.{ts,tsx,mjs}',
  'web/src/**/*.{ts,tsx,css}',
  'web/*.{ts,mjs}',
  '*.{ts,mjs}',
];

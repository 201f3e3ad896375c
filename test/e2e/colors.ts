import type { Locator } from 'playwright-core';

/** A colour as the page paints it: red, green, blue 0–255, alpha 0–255. */
export type Rgba = [number, number, number, number];

/**
 * An element's text colour and the first opaque background behind it (its own or an ancestor's, across a shadow
 * root), as sRGB: the browser converts the dashboard's oklch colours by painting each onto a one-pixel canvas.
 */
export function colorsOf(locator: Locator): Promise<{ text: Rgba; background: Rgba }> {
  return locator.evaluate((element) => {
    const canvas = document.createElement('canvas');
    canvas.width = 1;
    canvas.height = 1;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('no 2D canvas');
    const paint = (css: string): [number, number, number, number] => {
      context.clearRect(0, 0, 1, 1);
      context.fillStyle = css;
      context.fillRect(0, 0, 1, 1);
      const [r = 0, g = 0, b = 0, a = 0] = context.getImageData(0, 0, 1, 1).data;
      return [r, g, b, a];
    };
    let node: Element | null = element;
    let background: [number, number, number, number] = [255, 255, 255, 255];
    while (node) {
      const painted = paint(getComputedStyle(node).backgroundColor);
      if (painted[3] === 255) {
        background = painted;
        break;
      }
      const parent: Node | null = node.parentNode;
      node = parent instanceof ShadowRoot ? parent.host : parent instanceof Element ? parent : null;
    }
    return { text: paint(getComputedStyle(element).color), background };
  });
}

/** WCAG 2.1 contrast ratio of two opaque colours. */
export function contrast(a: Rgba, b: Rgba): number {
  const luminance = ([r, g, b]: Rgba) => {
    const [R, G, B] = [r, g, b].map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * R! + 0.7152 * G! + 0.0722 * B!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** How far a colour is from a grey: 0 for a grey, larger the more coloured (teal, red) it is. */
export const chroma = ([r, g, b]: Rgba) => Math.max(r, g, b) - Math.min(r, g, b);

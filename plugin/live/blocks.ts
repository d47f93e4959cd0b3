/**
 * Inference blocks: the missing cells of a view merged into rectangles of whole cells so neighbouring
 * cells share one halo (each cell is still stored, checked and drawn on its own).
 */
import type { Priority } from '../pipeline/scheduler.ts';
import type { Rect } from '../pipeline/tiler.ts';
import { boundingRect, cellRect, type Cell } from './grid.ts';
import type { LiveImage } from './types.ts';

/** One inference request: a rectangle of whole cells of one frame. */
export interface Block {
  image: LiveImage;
  cells: Cell[];
  rect: Rect;
  priority: Priority;
}

/**
 * Groups `cells` into blocks: cells of one aligned group of b x b cells form one block (their
 * bounding box, so it may include a stored cell: recomputed, never drawn differently), blocks in the
 * order of their first cell in `cells` (centre first). `size` is the image's grid size.
 */
export function groupBlocks(
  image: LiveImage,
  size: { width: number; height: number },
  cells: Cell[],
  tileSize: number,
  b: number,
  priority: Priority,
): Block[] {
  const groups = new Map<string, Cell[]>();
  for (const cell of cells) {
    const g = `${Math.floor(cell[0] / b)},${Math.floor(cell[1] / b)}`;
    const list = groups.get(g) ?? [];
    list.push(cell);
    groups.set(g, list);
  }
  const T = tileSize;
  return [...groups.values()].map((group) => {
    const rect = boundingRect(group.map(([c, r]) => cellRect(c, r, T, size.width, size.height))) as Rect;
    const cellsIn: Cell[] = [];
    for (let r = rect.y / T; r * T < rect.y + rect.height; r++)
      for (let c = rect.x / T; c * T < rect.x + rect.width; c++) cellsIn.push([c, r]);
    return { image, cells: cellsIn, rect, priority };
  });
}

/**
 * The small part of React 18 the panel uses, typed here: React is the host's (a peer dependency,
 * OHIF's copy), handed to createTilesrExtension, and no React types are installed in this repo.
 */

/** What createElement returns; opaque to the panel. */
export type ReactNodeLike = object | string | null;

/** A function component. */
export type ComponentLike<P> = (props: P) => ReactNodeLike;

/** A ref object as useRef returns it. */
export interface RefLike<T> {
  current: T;
}

/** React's API as the panel calls it. */
export interface ReactLike {
  createElement(
    type: string | ComponentLike<never>,
    props?: Record<string, unknown> | null,
    ...children: ReactNodeLike[]
  ): ReactNodeLike;
  useEffect(effect: () => void | (() => void), deps?: readonly unknown[]): void;
  useRef<T>(initial: T): RefLike<T>;
  useState<T>(initial: T): [T, (next: T) => void];
}

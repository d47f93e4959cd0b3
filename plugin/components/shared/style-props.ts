/**
 * `<div ${styleProps({ width: '40%' })}>`: sets inline style properties through the CSSOM
 * (`element.style.setProperty`) on every render, the first included. A `style="..."` attribute
 * binding, and Lit's styleMap on its first render, write the style attribute instead, which a
 * Content-Security-Policy without 'unsafe-inline' in style-src blocks.
 */
import { noChange } from 'lit';
import { Directive, directive, PartType, type ElementPart, type PartInfo } from 'lit/directive.js';

class StyleProps extends Directive {
  constructor(info: PartInfo) {
    super(info);
    if (info.type !== PartType.ELEMENT) throw new Error('styleProps goes on an element, not in an attribute');
  }

  override render(_props: Record<string, string>): typeof noChange {
    return noChange;
  }

  override update(part: ElementPart, [props]: [Record<string, string>]): typeof noChange {
    const { style } = part.element as HTMLElement;
    for (const [name, value] of Object.entries(props)) style.setProperty(name, value);
    return noChange;
  }
}

/** Inline style properties set through the CSSOM, which a strict CSP allows. */
export const styleProps = directive(StyleProps);

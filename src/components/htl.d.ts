// Types for htl (Hypertext Literal), which ships none: tagged templates that return DOM nodes.
declare module "htl" {
  /** An element when the template has a single root, else a DocumentFragment. */
  export function html(strings: TemplateStringsArray, ...values: unknown[]): HTMLElement;
  export function svg(strings: TemplateStringsArray, ...values: unknown[]): SVGElement;
}

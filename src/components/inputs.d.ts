// Types for the part of Observable Inputs the components use (the package ships none).
declare module "@observablehq/inputs" {
  export function radio<T>(
    data: readonly T[],
    options?: {label?: string; value?: T; format?: (value: T) => unknown; keyof?: (value: T) => string}
  ): HTMLFormElement & {value: T};
}

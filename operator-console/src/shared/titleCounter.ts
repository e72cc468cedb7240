/** document.title counter for activity while the tab is hidden. */

export function formatTitle(base: string, count: number): string {
  return count > 0 ? `(${count}) ${base}` : base;
}

export interface TitleCounter {
  /** Count one new event; ignored while the tab is visible. */
  bump(): void;
  dispose(): void;
}

export function createTitleCounter(base: string): TitleCounter {
  let count = 0;
  const render = () => {
    document.title = formatTitle(base, count);
  };
  const onVisibility = () => {
    if (!document.hidden) {
      count = 0;
      render();
    }
  };
  document.addEventListener('visibilitychange', onVisibility);
  render();
  return {
    bump() {
      if (!document.hidden) return;
      count += 1;
      render();
    },
    dispose() {
      document.removeEventListener('visibilitychange', onVisibility);
      count = 0;
      render();
    },
  };
}

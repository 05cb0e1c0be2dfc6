// A view of a store without commitIf: the manager then commits last-writer-wins, i.e. merge-on-commit turned off (the benchmarks' A/B baseline).
import type { Store } from '../src/store.js';

/** `store` without `commitIf`: the manager falls back to last-writer-wins commits. */
export function withoutCommitIf(store: Store): Store {
  const view: Store = {
    find: store.find.bind(store),
    commit: store.commit.bind(store),
    delete: store.delete.bind(store),
    stableBytes: store.stableBytes === true,
  };
  if (store.touch !== undefined) view.touch = store.touch.bind(store);
  return view;
}

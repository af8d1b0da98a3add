import {initialView, type SiteView} from '../engine/site-state.js';
import type {SiteSpec} from '../engine/types.js';

/**
The main thread's view of every site, merged from the shards' updates. In the order sites were added
until a removal swaps the last view into the gap (O(1), as the engine's own list does; the front ends
sort anyway).
*/
export class MergedViews {
	readonly #list: SiteView[] = [];
	readonly #index = new Map<number, number>();

	/** Every view, for a snapshot (copy it: the list changes in place). */
	get list(): readonly SiteView[] {
		return this.#list;
	}

	get(id: number): SiteView | undefined {
		const index = this.#index.get(id);
		return index === undefined ? undefined : this.#list[index];
	}

	/** A site added: its view before any check (a site added again starts over). */
	add(spec: SiteSpec): void {
		const index = this.#index.get(spec.id);
		if (index === undefined) {
			this.#index.set(spec.id, this.#list.length);
			this.#list.push(initialView(spec));
		} else {
			this.#list[index] = initialView(spec);
		}
	}

	/** Replaces the view of site `id` with `change(view)`; a site removed meanwhile is ignored. */
	update(id: number, change: (view: SiteView) => SiteView): void {
		const index = this.#index.get(id);
		if (index !== undefined) {
			this.#list[index] = change(this.#list[index]!);
		}
	}

	remove(id: number): void {
		const index = this.#index.get(id);
		if (index === undefined) {
			return;
		}

		const last = this.#list.pop()!;
		this.#index.delete(id);
		if (last.id !== id) {
			this.#list[index] = last;
			this.#index.set(last.id, index);
		}
	}
}

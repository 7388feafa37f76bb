import { afterEach } from 'vitest';
import { Module, type ModuleConfig } from '../module.js';

/**
 * The modules a test file builds, disposed after each test (their parameters live in wasm memory):
 * `push` registers modules made by hand, `make` builds one from a config and registers it.
 */
export class BuiltModules {
  private readonly list: Module[] = [];

  constructor() {
    afterEach(() => this.list.splice(0).forEach((m) => m.dispose()));
  }

  push(...modules: Module[]): void {
    this.list.push(...modules);
  }

  make<M extends Module>(config: ModuleConfig): M {
    const m = Module.fromConfig(config) as M;
    this.list.push(m);
    return m;
  }
}

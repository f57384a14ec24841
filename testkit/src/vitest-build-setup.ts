// Global setup of the unit project: the compiled packages some unit tests run
// (see build-services.ts).
import { buildServices } from './build-services.ts';

export default async function setup(): Promise<void> {
  await buildServices();
}

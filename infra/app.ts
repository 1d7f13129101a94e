/**
 * The CDK app entry point: `npx cdk synth` / `npx cdk deploy` run this file (see cdk.json).
 * A finding of cdk-nag's packs that is not acknowledged in `nag.ts` fails synth.
 */
import { buildApp } from './build-app';

buildApp().app.synth();

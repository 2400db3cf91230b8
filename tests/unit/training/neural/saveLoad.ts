// Saves a TensorFlow.js model the way training writes it and loads it back, for tests that
// check custom layers survive model.json.
import * as tf from '@tensorflow/tfjs';
import type * as tfTypes from '@tensorflow/tfjs';

/** Saves `net` in memory and loads it back as a new model. */
export async function roundTrip(net: tfTypes.LayersModel): Promise<tfTypes.LayersModel> {
  let saved: tfTypes.io.ModelArtifacts | undefined;
  await net.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  // Through JSON text, as model.json is written and read.
  const topology = JSON.parse(JSON.stringify(saved!.modelTopology));
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs: saved!.weightSpecs, weightData: saved!.weightData }));
}

import { basename } from 'node:path';
import type { ModelAnalysis } from '../analysis/model';
import type { BoundCall } from '../analysis/settings';
import { code, py, pyCall } from '../catalog/torch';
import { withSeparators } from '../util/format';
import type { SourceText } from './source';
import { commonFunctions, docText, fillTemplate } from './templates';

/**
 * The catalogue's optimizers as PyTorch's, with the settings TensorFlow.js trains with where
 * the two libraries' defaults differ (epsilons, Adagrad's starting accumulator), so both
 * engines run the same algorithm.
 */
const PARAMETERS = code('parameters');
const TORCH_OPTIMIZERS: Readonly<Record<string, (a: BoundCall['args']) => string>> = {
  adam: (a) => pyCall('torch.optim.Adam', [PARAMETERS], { lr: a.learning_rate, betas: [a.beta1, a.beta2], eps: a.epsilon }),
  sgd: (a) => pyCall('torch.optim.SGD', [PARAMETERS], { lr: a.learning_rate, momentum: a.momentum ? a.momentum : undefined }),
  rmsprop: (a) => pyCall('torch.optim.RMSprop', [PARAMETERS], { lr: a.learning_rate, alpha: a.rho, eps: 1e-7 }),
  adagrad: (a) => pyCall('torch.optim.Adagrad', [PARAMETERS], { lr: a.learning_rate, initial_accumulator_value: 0.1 }),
};

export function torchOptimizerNames(): string[] {
  return Object.keys(TORCH_OPTIMIZERS);
}

function optimizer(call: BoundCall): string {
  const make = TORCH_OPTIMIZERS[call.name];
  if (!make) throw new Error(`No PyTorch optimizer for '${call.name}'.`);
  return make(call.args);
}

export function trainPy(model: ModelAnalysis, spec: SourceText): string {
  const t = model.train;
  const where = t.section ? `its train { } on line ${t.section.range.start.line + 1}` : 'no train { } section, so the defaults';
  const settings = [
    `# ${model.name}'s training settings, from ${where} of ${basename(spec.file)}.`,
    `EPOCHS = ${t.epochs}`,
    `BATCH_SIZE = ${t.batchSize}`,
    `LOSS = ${py(t.loss)}`,
    `EARLY_STOPPING = ${t.earlyStopping ?? 'None'}  # epochs without a lower validation loss before stopping (None: never)`,
    `SEED = ${t.seed}  # weight initialisation and batch order`,
    '',
    '',
    'def make_optimizer(parameters):',
    `    return ${optimizer(t.optimizer)}`,
  ].join('\n');
  const doc = [
    `Trains ${model.name} (${basename(spec.file)}) with PyTorch and writes OUT/metrics.json, model.pt and predictions.npy.`,
    '',
    'python train.py [--epochs N] [--device auto|cpu|cuda] [--precision fp32|bf16|fp16] [--out RUN_DIR] [--resume]',
    'Under torchrun (or any launcher that sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and',
    'MASTER_PORT) it trains with DistributedDataParallel: NCCL on GPUs, gloo on CPUs. See README.md.',
  ].join('\n');
  return fillTemplate('torch_train.py', {
    DOC: docText(doc),
    SETTINGS: settings,
    COMMON: commonFunctions(['macro_f1', 'write_json', 'Events', 'Stop']),
  });
}

export function pytorchReadme(model: ModelAnalysis, spec: SourceText, hasData: boolean): string {
  const t = model.totals;
  const file = basename(spec.file);
  const buffers = t.torch.buffers > 0n ? ` (+ ${withSeparators(t.torch.buffers)} batch-norm buffers)` : '';
  return `# ${model.name} — PyTorch project

Exported by Modelspec from \`${file}\`. It needs Python 3, PyTorch (1.13 or 2.x) and numpy, nothing else.

| file | what it holds |
| --- | --- |
| \`model.py\` | \`build_model()\`: the network as a \`torch.nn.Module\`, one line per layer with its \`${file}\` line in a comment; ${withSeparators(t.torch.params)} parameters${buffers}, input \`INPUT_SHAPE\` = ${JSON.stringify(model.inputShape)} (channels last, as the spec writes it) |
| \`data.py\` | ${hasData ? `the dataset \`${model.dataset?.name}\` exactly as Modelspec prepares it (split, normalisation, validation rows), from the arrays in \`data/\`` : 'random placeholder samples of the input shape: the spec names no dataset; replace `load_splits()` with your data'} |
| \`train.py\` | the spec's \`train { }\` (optimizer, loss, batch size, epochs, early stopping, seed); writes \`RUN_DIR/metrics.json\`, \`model.pt\`, \`predictions.npy\` and a \`checkpoint.pt\` after every epoch |

## One CPU or one GPU

\`\`\`sh
python train.py                          # a GPU when there is one, else the CPU; results in ./run
python train.py --device cpu --epochs 5 --out run-cpu
python train.py --precision bf16         # mixed precision (fp16 needs CUDA)
python train.py --resume                 # continue from run/checkpoint.pt
\`\`\`

\`run/metrics.json\` holds accuracy and macro F1 on the test split, the parameter counts,
training time, epochs, device, number of processes and PyTorch's version, and the
history of every epoch.

## Several GPUs on one machine

\`\`\`sh
torchrun --standalone --nproc_per_node 8 train.py
\`\`\`

Each process trains on its own share of every epoch (DistributedDataParallel; NCCL on
GPUs, gloo on CPUs). \`--batch-size\` (default: the spec's ${model.train.batchSize}) is the global batch of one
step, shared out between the processes, so the spec trains the same however many there
are; raise it to keep many GPUs busy. Losses, accuracies and predictions are combined over
all processes; only rank 0 writes files.

## Several machines

Run the same command on every machine, with the address of one of them as the rendezvous
endpoint:

\`\`\`sh
torchrun --nnodes 2 --nproc_per_node 8 --rdzv_id job1 --rdzv_backend c10d \\
  --rdzv_endpoint node0.example.com:29500 train.py --out /shared/run
\`\`\`

## SLURM

\`\`\`sh
#!/bin/bash
#SBATCH --job-name=${model.name}
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=1
#SBATCH --gpus-per-node=8
#SBATCH --cpus-per-task=32
head=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
srun torchrun --nnodes "$SLURM_NNODES" --nproc_per_node 8 \\
  --rdzv_id "$SLURM_JOB_ID" --rdzv_backend c10d --rdzv_endpoint "$head:29500" \\
  train.py --out "run-$SLURM_JOB_ID"
\`\`\`

Any launcher works that starts one process per GPU with \`RANK\`, \`WORLD_SIZE\`,
\`LOCAL_RANK\`, \`MASTER_ADDR\` and \`MASTER_PORT\` set.
`;
}

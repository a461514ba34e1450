/**
 * The commands and their options, declared with commander: it parses the
 * arguments, writes --help, and rejects unknown options, missing arguments
 * and bad values (parsers.ts) before any command runs.
 */
import { Command, Option } from 'commander';
// For --version. esbuild inlines it in dist/cli.js, from where this relative path would not reach it.
import pkg from '../../package.json' with { type: 'json' };
import { MAX_THREADS } from '../backend/backend.js';
import { METRIC_NAMES } from '../metrics.js';
import { withDataInput } from './data-input.js';
import { evaluate } from './evaluate.js';
import { exportModel } from './export.js';
import { info } from './info.js';
import type { Io } from './io.js';
import * as parse from './parsers.js';
import { predict } from './predict.js';
import { CLI_LOSSES, TASKS } from './target.js';
import { escapeLines } from './text.js';
import { train } from './train.js';
import { OPTIMIZER_CHOICES } from './training-options.js';

const HIDDEN_ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'leakyRelu', 'linear'];

function backendOption(): Option {
  return new Option('--backend <name>', 'where the numbers are crunched').choices(['wasm', 'js']).default('wasm');
}

function threadsOption(): Option {
  return new Option(
    '--threads <n>',
    `threads for the wasm backend, at most ${MAX_THREADS}: large products split across them, same results`,
  )
    .argParser(parse.threads)
    .default(1);
}

/** How a data file's fields are split, for each command that reads one (data-input.ts). */
function delimiterOption(): Option {
  return new Option('--delimiter <delimiter>', 'comma, semicolon or tab (default: detected from the header line)').argParser(
    parse.delimiter,
  );
}

function featuresOption(): Option {
  return new Option(
    '--features <columns>',
    "the columns that feed the model's inputs, in order (default: the model's feature names; an ONNX model without them takes the first columns)",
  );
}

export function buildProgram(io: Io): Command {
  const program = new Command('wasmlp')
    .description('Train dense neural networks on CSV files, and use them.')
    .version(pkg.version, '-V, --version', 'print the version')
    // Inherited by the commands below: errors throw (main() returns the exit code) and text goes to io.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      // Its errors echo arguments (an unknown option, a bad value), which may hold control characters.
      writeErr: (text) => io.stderr.write(escapeLines(text)),
    })
    .showHelpAfterError('(add --help for usage)')
    .hook('preAction', (_program, command) => {
      const { threads, backend } = command.opts<{ threads?: number; backend?: string }>();
      if (threads !== undefined && threads > 1 && backend !== 'wasm') {
        throw new Error(`--threads ${threads} needs the wasm backend, not --backend ${backend}`);
      }
    });

  // --standardize and --no-standardize set one option: given both, commander
  // keeps the last; refused instead, since one of them is not what was meant.
  const standardizeFlags = new Set<string>();
  program
    .command('train')
    .on('option:standardize', () => standardizeFlags.add('--standardize'))
    .on('option:no-standardize', () => standardizeFlags.add('--no-standardize'))
    .hook('preAction', () => {
      if (standardizeFlags.size > 1) throw new Error('give --standardize or --no-standardize, not both');
    })
    .description('train a network on a CSV file (a header row, then one row per sample)')
    .argument('<data>', 'the CSV file (- for standard input)')
    .requiredOption('--target <column>', 'the column to predict (x,y for several, a regression)')
    .option('--features <columns>', 'the input columns, comma-separated (default: every other column)')
    .addOption(
      new Option('--layers <units>', 'hidden layer sizes, comma-separated, or none')
        .argParser(parse.layerSizes)
        .default([16], '16'),
    )
    .addOption(new Option('--activation <name>', 'hidden layer activation').choices(HIDDEN_ACTIVATIONS).default('relu'))
    .addOption(new Option('--loss <name>', 'override the loss chosen from the target').choices(CLI_LOSSES))
    .addOption(new Option('--optimizer <name>', 'the optimiser').choices(OPTIMIZER_CHOICES).default('adam'))
    .option('--epochs <n>', 'passes over the training rows', parse.positiveInteger, 100)
    .option('--batch-size <n>', 'rows per gradient step', parse.positiveInteger, 32)
    .option('--lr <rate>', 'learning rate (default: 0.01 for sgd, 0.001 for the others)', parse.positiveNumber)
    .option(
      '--validation-split <fraction>',
      'hold out this fraction of the rows (shuffled from the seed) to validate on',
      parse.fraction,
    )
    .option('--seed <n>', 'seed for the initial weights, the split and the shuffles', parse.seed)
    .option('--standardize', 'scale each feature to mean 0, standard deviation 1, from the training rows (the default)', true)
    .option('--no-standardize', 'feed the features to the network as they are')
    .option('--save <file>', 'write the trained model to this JSON file')
    // Training controls (training-options.ts), the task, a test split and early stopping.
    .option('--dropout <rate>', "drop this fraction of each hidden layer's outputs while training", parse.dropoutRate)
    .option('--l1 <factor>', 'kernel penalty l1·Σ|W| on every dense layer', parse.nonNegativeNumber)
    .option('--l2 <factor>', 'kernel penalty l2·ΣW² on every dense layer', parse.nonNegativeNumber)
    .option('--clipnorm <norm>', "clip each weight matrix's and bias's gradient to this norm", parse.positiveNumber)
    .addOption(
      new Option('--lr-schedule <name>', 'decay the learning rate over the run: cosine (to 0) or exponential (to 1%)').choices([
        'cosine',
        'exponential',
      ]),
    )
    .addOption(new Option('--class-weight <mode>', 'weigh each class by n_rows / (n_classes · its rows)').choices(['balanced']))
    .option(
      '--metrics <names>',
      `what each epoch reports besides the loss, in place of accuracy: ${METRIC_NAMES.join(', ')}`,
      parse.metricNames,
    )
    .addOption(new Option('--task <task>', 'what the target is (default: guessed from its values, and printed)').choices(TASKS))
    .option('--test-split <fraction>', 'hold out this fraction of the rows first, scored once after training', parse.fraction)
    .option(
      '--early-stopping <patience>',
      "stop after this many epochs without a better val_loss, keeping the best epoch's weights",
      parse.nonNegativeInteger,
    )
    .addOption(backendOption())
    .addOption(threadsOption())
    // Columns left out, and what train prints as it runs.
    .option('--exclude <columns>', 'columns that are not features, comma-separated')
    .option('--id <column>', 'the row key: not a feature; saved with the model for predict to copy')
    .addOption(
      new Option(
        '--missing <choice>',
        "a missing cell (empty, NA): leave out its row, or fill in the feature's training mean",
      ).choices(['drop', 'mean']),
    )
    .option('--quiet', 'print only the summary line at the end')
    .option('--log-every <n>', 'print a line every n epochs (and the last)', parse.positiveInteger, 1)
    .addOption(delimiterOption())
    .action((data: string, options) => withDataInput(data, options, io.stdin, () => train(data, options, io)));

  program
    .command('predict')
    .description('predict every row of a CSV file: CSV on stdout')
    .argument('<model>', 'a model file written by train --save, or an ONNX model (.onnx)')
    .argument('<data>', 'a CSV file with the feature columns (other columns are ignored); - for standard input')
    .option('--id <column>', "a column to copy into the output's first column (default: the model's --id, if the file has it)")
    .addOption(featuresOption())
    .addOption(backendOption())
    .addOption(threadsOption())
    .addOption(delimiterOption())
    .action((model: string, data: string, options) =>
      withDataInput(data, options, io.stdin, () => predict(model, data, options, io)),
    );

  program
    .command('evaluate')
    .description("the model's loss on a labelled CSV file; a classifier's accuracy, confusion matrix and per-class scores")
    .argument('<model>', 'a model file written by train --save, or an ONNX model (.onnx)')
    .argument('<data>', 'a CSV file with the feature columns and the target; - for standard input')
    .option('--target <column>', "the target column (default: the model's)")
    .option('--json', 'print every number as one JSON object')
    .addOption(featuresOption())
    .addOption(backendOption())
    .addOption(threadsOption())
    .addOption(delimiterOption())
    .action((model: string, data: string, options) =>
      withDataInput(data, options, io.stdin, () => evaluate(model, data, options, io)),
    );

  program
    .command('info')
    .description('what a model file holds: the network, features, target, preprocessing, and how it was trained')
    .argument('<model>', 'a model file written by train --save, a saved network, or an ONNX model (.onnx)')
    .option('--json', 'print it as one JSON object')
    .action((model: string, options) => info(model, options, io));

  program
    .command('export')
    .description('write a model file as an ONNX model or a TensorFlow.js model, standardisation included')
    .argument('<model>', 'a model file written by train --save')
    .addOption(new Option('--format <format>', 'the format to write').choices(['onnx', 'tfjs']).makeOptionMandatory())
    .requiredOption('--out <path>', 'the .onnx file, or the folder for model.json and weights.bin (made if missing)')
    .addOption(new Option('--dtype <dtype>', "ONNX's element type (default: the network's)").choices(['float32', 'float64']))
    .action((model: string, options) => exportModel(model, options, io));

  return program;
}

#!/usr/bin/env python3
"""
Writes the ONNX import fixtures in test/formats/fixtures/: dense networks laid
out exactly as three exporters write them, each with the outputs numpy
computes for a fixed input, and malformed models for the error tests.

  /usr/bin/python3 scripts/onnx-fixtures.py    (needs onnx and numpy: Debian's python3-onnx)

There is no PyTorch, TensorFlow or scikit-learn here, so each model is built
with onnx.helper in the layout its exporter writes:

  torch.onnx (PyTorch 2.x, opset 17), nn.Sequential(nn.Linear, nn.ReLU, ...):
    Gemm with transB=1 and the Linear's [out, in] weight, nodes /0/Gemm,
    /1/Relu, ..., tensors /0/Gemm_output_0, initializers 0.weight, 0.bias;
    the input 'input' with a dynamic 'batch_size' (input_names and
    dynamic_axes given), or 'onnx::Gemm_0' with a fixed batch of 1 (none
    given); graph main_graph; weights in raw_data.
  tf2onnx (1.16, opset 13 and 15), a Keras Sequential of Dense layers:
    MatMul then Add (BiasAdd), initializers sequential/dense/MatMul/ReadVariableOp:0,
    tensors named name:0, symbolic dims unk__N, and an Identity to the
    output named after the last layer; weights in raw_data.
  skl2onnx (1.16, opset 17), an MLPRegressor or MLPClassifier, as the
    converters in skl2onnx/operator_converters/multilayer_perceptron.py and
    zip_map.py write them: the input X (unnamed batch dimension) cast to the
    model's type, MatMul / Add / activation per layer named MatMul, Add, Relu,
    MatMul1, ... (the last layer's node named after the hidden activation,
    whatever its op), initializers coefficient, intercepts ([1, units]),
    coefficient1, ... in float_data or double_data. A regressor reshapes its
    output to [-1, 1] as variable. A classifier outputs label (ArgMax,
    ArrayFeatureExtractor of the classes, Reshape, Cast to INT64) and
    probabilities (a softmax through Identity, or a binary model's sigmoid p
    as Concat(1 - p, p)); with ZipMap, on by default, output_label and
    output_probability (ai.onnx.ml imported). Trained on multi-label
    targets, a sigmoid per class, probabilities through Identity, and label
    a Binarizer (threshold 0.5) cast to INT64.

Every model is checked with onnx.checker (the malformed ones excepted).
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'formats', 'fixtures')
rng = np.random.default_rng(20261207)

ELEM = {np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE}


def weights(dtype, inputs, units):
    W = (rng.standard_normal((inputs, units)) / np.sqrt(inputs)).astype(dtype)
    b = (rng.standard_normal(units) * 0.5).astype(dtype)
    return W, b


def raw(name, array):
    return numpy_helper.from_array(array, name)  # raw_data, as exporters write


def typed(name, array):
    """float_data / double_data instead of raw_data, as skl2onnx writes."""
    return helper.make_tensor(name, ELEM[array.dtype.type], array.shape, array.flatten().tolist())


def act(name, z, alpha=None):
    if name == 'relu':
        return np.maximum(z, 0)
    if name == 'sigmoid':
        return 1 / (1 + np.exp(-z))
    if name == 'tanh':
        return np.tanh(z)
    if name == 'leakyRelu':
        return np.where(z > 0, z, z.dtype.type(alpha) * z)
    if name == 'softmax':
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return z


def forward(x, layers):
    for W, b, name, alpha in layers:
        x = act(name, x @ W + b, alpha)
    return x


def save(name, model, layers, dtype, rows=16, check=True, output=None):
    """The model, and beside it its layers as fromONNX reads them, an input and numpy's outputs for it; `output`
    names the tensor they are, where it is not the graph's first output."""
    if check:
        # onnx 1.12's shape inference types neither ArrayFeatureExtractor's output nor ZipMap's sequence of maps:
        # models with ai.onnx.ml nodes get the structural check only.
        ml = any(n.domain == 'ai.onnx.ml' for n in model.graph.node)
        onnx.checker.check_model(model, full_check=not ml)
    with open(os.path.join(OUT, name + '.onnx'), 'wb') as f:
        f.write(model.SerializeToString())
    if layers is None:
        return
    x = (rng.standard_normal((rows, layers[0][0].shape[0])) * 2).astype(dtype)
    y = forward(x, layers)
    read = [{'units': int(W.shape[1]), 'activation': a, **({'alpha': float(al)} if a == 'leakyRelu' else {})}
            for W, b, a, al in layers]
    if output == 'probabilities' and y.shape[1] == 1:
        # A binary classifier's [1 - p, p]: fromONNX reads it as a softmax over [0, z].
        y = np.concatenate([1 - y, y], axis=1)
        read[-1] = {'units': 2, 'activation': 'softmax'}
    spec = {
        'dtype': 'float32' if dtype == np.float32 else 'float64',
        'layers': read,
        'x': x.tolist(),
        'y': y.tolist(),
        **({'output': output} if output else {}),
    }
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        json.dump(spec, f)
        f.write('\n')


TORCH_OP = {'relu': 'Relu', 'sigmoid': 'Sigmoid', 'tanh': 'Tanh', 'leakyRelu': 'LeakyRelu', 'softmax': 'Softmax'}


def torch_model(dtype, sizes, activations, input_name, output_name, batch):
    """nn.Sequential(Linear, act, Linear, act, ...) through torch.onnx.export."""
    nodes, inits, layers = [], [], []
    current, module = input_name, 0
    for l, (units, (a, alpha)) in enumerate(zip(sizes[1:], activations)):
        W, b = weights(dtype, sizes[l], units)
        layers.append((W, b, a, alpha))
        inits += [raw(f'{module}.weight', np.ascontiguousarray(W.T)), raw(f'{module}.bias', b)]
        last = l == len(sizes) - 2
        out = output_name if last and a == 'linear' else f'/{module}/Gemm_output_0'
        nodes.append(helper.make_node('Gemm', [current, f'{module}.weight', f'{module}.bias'], [out],
                                      name=f'/{module}/Gemm', alpha=1.0, beta=1.0, transB=1))
        current = out
        module += 1
        if a != 'linear':
            out = output_name if last else f'/{module}/{TORCH_OP[a]}_output_0'
            attrs = {'alpha': alpha} if a == 'leakyRelu' else {'axis': 1} if a == 'softmax' else {}
            nodes.append(helper.make_node(TORCH_OP[a], [current], [out], name=f'/{module}/{TORCH_OP[a]}', **attrs))
            current = out
            module += 1
    elem = ELEM[dtype]
    graph = helper.make_graph(nodes, 'main_graph', [helper.make_tensor_value_info(input_name, elem, [batch, sizes[0]])],
                              [helper.make_tensor_value_info(output_name, elem, [batch, sizes[-1]])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)], producer_name='pytorch', producer_version='2.1.0')
    model.ir_version = 8
    return model, layers


def tf2onnx_model(dtype, sizes, activations, opset):
    """A Keras Sequential of Dense layers through tf2onnx.convert.from_keras."""
    nodes, inits, layers = [], [], []
    current = 'dense_input'
    for l, (units, (a, alpha)) in enumerate(zip(sizes[1:], activations)):
        W, b = weights(dtype, sizes[l], units)
        layers.append((W, b, a, alpha))
        scope = 'sequential/dense' + ('' if l == 0 else f'_{l}')
        inits += [raw(f'{scope}/MatMul/ReadVariableOp:0', W), raw(f'{scope}/BiasAdd/ReadVariableOp:0', b)]
        nodes.append(helper.make_node('MatMul', [current, f'{scope}/MatMul/ReadVariableOp:0'], [f'{scope}/MatMul:0'], name=f'{scope}/MatMul'))
        nodes.append(helper.make_node('Add', [f'{scope}/MatMul:0', f'{scope}/BiasAdd/ReadVariableOp:0'], [f'{scope}/BiasAdd:0'], name=f'{scope}/BiasAdd'))
        current = f'{scope}/BiasAdd:0'
        if a == 'leakyRelu':
            # Keras puts a LeakyReLU layer after the Dense: its own scope.
            lr = f'sequential/leaky_re_lu' + ('' if l == 0 else f'_{l}')
            nodes.append(helper.make_node('LeakyRelu', [current], [f'{lr}/LeakyRelu:0'], name=f'{lr}/LeakyRelu', alpha=alpha))
            current = f'{lr}/LeakyRelu:0'
        elif a != 'linear':
            op = TORCH_OP[a]
            attrs = {'axis': -1} if a == 'softmax' else {}
            nodes.append(helper.make_node(op, [current], [f'{scope}/{op}:0'], name=f'{scope}/{op}', **attrs))
            current = f'{scope}/{op}:0'
    last = 'dense' + ('' if len(layers) == 1 else f'_{len(layers) - 1}')
    nodes.append(helper.make_node('Identity', [current], [last], name=f'Identity'))
    elem = ELEM[dtype]
    graph = helper.make_graph(nodes, 'tf2onnx', [helper.make_tensor_value_info('dense_input', elem, ['unk__6', sizes[0]])],
                              [helper.make_tensor_value_info(last, elem, ['unk__7', sizes[-1]])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', opset)], producer_name='tf2onnx',
                              producer_version='1.16.1 15c810')
    model.ir_version = 7 if opset == 13 else 8
    return model, layers


class Names:
    """skl2onnx's Scope naming: a seed's first use as is, then seed1, seed2, ..."""

    def __init__(self, taken=()):
        self.taken = set(taken)

    def __call__(self, seed):
        name, i = seed, 1
        while name in self.taken:
            name, i = f'{seed}{i}', i + 1
        self.taken.add(name)
        return name


SKL_OP = {'identity': 'Identity', 'tanh': 'Tanh', 'logistic': 'Sigmoid', 'relu': 'Relu', 'softmax': 'Softmax'}
SKL_ACT = {'identity': 'linear', 'tanh': 'tanh', 'logistic': 'sigmoid', 'relu': 'relu', 'softmax': 'softmax'}


def skl2onnx_forward(var, op, nodes, inits, dtype, sizes, activation, out_activation):
    """_predict and _forward_pass of skl2onnx's multilayer_perceptron.py: the input cast, then MatMul, Add and
    the activation per layer; the last layer's node is named after the hidden activation, whatever its op."""
    elem = ELEM[dtype]
    cast_input = var('cast_input')
    nodes.append(helper.make_node('Cast', ['X'], [cast_input], name=op('Cast'), to=elem))
    out = var('out_activations_result')
    layers, current = [], cast_input
    for l, units in enumerate(sizes[1:]):
        W, b = weights(dtype, sizes[l], units)
        last = l == len(sizes) - 2
        layers.append((W, b, SKL_ACT[out_activation if last else activation], None))
        coefficient, intercepts, mul, add = var('coefficient'), var('intercepts'), var('mul_result'), var('add_result')
        inits += [typed(coefficient, W), typed(intercepts, b.reshape(1, -1))]
        nodes.append(helper.make_node('MatMul', [current, coefficient], [mul], name=op('MatMul')))
        nodes.append(helper.make_node('Add', [mul, intercepts], [add], name=op('Add')))
        current = add
        if not last:
            nxt = var('next_activations')
            nodes.append(helper.make_node(SKL_OP[activation], [current], [nxt], name=op(SKL_OP[activation])))
            current = nxt
    nodes.append(helper.make_node(SKL_OP[out_activation], [current], [out], name=op(SKL_OP[activation])))
    return out, layers


def skl2onnx_header(graph, ml):
    opsets = [helper.make_opsetid('', 17)] + ([helper.make_opsetid('ai.onnx.ml', 1)] if ml else [])
    model = helper.make_model(graph, opset_imports=opsets, producer_name='skl2onnx', producer_version='1.16.0')
    model.ir_version, model.domain = 8, 'ai.onnx'
    return model


def skl2onnx_regressor(dtype, sizes, activation):
    """An MLPRegressor through skl2onnx.convert_sklearn(initial_types=[('X', ...)]): its output reshaped to [-1, 1]."""
    var, op, nodes, inits = Names(['X', 'variable']), Names(), [], []
    y_pred, layers = skl2onnx_forward(var, op, nodes, inits, dtype, sizes, activation, 'identity')
    shape = var('shape_tensor')
    inits.append(helper.make_tensor(shape, TensorProto.INT64, [2], [-1, 1]))
    nodes.append(helper.make_node('Reshape', [y_pred, shape], ['variable'], name=op('Reshape')))
    elem = ELEM[dtype]
    graph = helper.make_graph(nodes, '5d2b0c3a7e4f4c1d9a8b6e2f0c7d1a3b', [helper.make_tensor_value_info('X', elem, [None, sizes[0]])],
                              [helper.make_tensor_value_info('variable', elem, [None, 1])], inits)
    return skl2onnx_header(graph, False), layers


def skl2onnx_classifier(dtype, sizes, activation, classes, zipmap, multilabel=False):
    """An MLPClassifier through skl2onnx.convert_sklearn, with options={'zipmap': zipmap}: outputs label and
    probabilities (a binary model's one sigmoid unit p as [1 - p, p]), or with the ZipMap output_label and
    output_probability. Trained on multi-label targets, its label is a Binarizer of the sigmoid outputs."""
    outputs = ['label', 'probabilities'] + (['output_label', 'output_probability'] if zipmap else [])
    var, op, nodes, inits = Names(['X'] + outputs), Names(), [], []
    argmax, extracted = var('argmax_output'), var('array_feature_extractor_result')
    binary = len(classes) == 2
    out_activation = 'logistic' if binary or multilabel else 'softmax'
    y_pred, layers = skl2onnx_forward(var, op, nodes, inits, dtype, sizes, activation, out_activation)
    if binary:
        unity, negative = var('unity'), var('negative_class_proba')
        inits.append(helper.make_tensor(unity, ELEM[dtype], [], [1]))
        nodes.append(helper.make_node('Sub', [unity, y_pred], [negative], name=op('Sub')))
        nodes.append(helper.make_node('Concat', [negative, y_pred], ['probabilities'], name=op('Concat'), axis=1))
    else:
        nodes.append(helper.make_node('Identity', [y_pred], ['probabilities'], name=op('Identity')))
    elem = ELEM[dtype]
    if multilabel:
        binarised = var('binariser_output')
        nodes.append(helper.make_node('Binarizer', [y_pred], [binarised], name=op('Binarizer'), domain='ai.onnx.ml', threshold=0.5))
        nodes.append(helper.make_node('Cast', [binarised], ['label'], name=op('Cast'), to=TensorProto.INT64))
        graph_outputs = [helper.make_tensor_value_info('label', TensorProto.INT64, [None, len(classes)]),
                         helper.make_tensor_value_info('probabilities', elem, [None, len(classes)])]
        graph = helper.make_graph(nodes, '3c9e0a4f7b2d4e6a8c1f5b9d2e7a0c4f',
                                  [helper.make_tensor_value_info('X', elem, [None, sizes[0]])], graph_outputs, inits)
        return skl2onnx_header(graph, True), layers
    strings = isinstance(classes[0], str)
    classes_name = var('classes')
    if strings:
        inits.append(helper.make_tensor(classes_name, TensorProto.STRING, [len(classes)], [c.encode() for c in classes]))
    else:
        inits.append(helper.make_tensor(classes_name, TensorProto.INT32, [len(classes)], classes))
    nodes.append(helper.make_node('ArgMax', ['probabilities'], [argmax], name=op('ArgMax'), axis=1))
    nodes.append(helper.make_node('ArrayFeatureExtractor', [classes_name, argmax], [extracted], name=op('ArrayFeatureExtractor'),
                                  domain='ai.onnx.ml'))
    reshape_name = op('Reshape')
    shape = var('shape_tensor')
    inits.append(helper.make_tensor(shape, TensorProto.INT64, [1], [-1]))
    if strings:
        nodes.append(helper.make_node('Reshape', [extracted, shape], ['label'], name=reshape_name))
    else:
        reshaped = var('reshaped_result')
        nodes.append(helper.make_node('Reshape', [extracted, shape], [reshaped], name=reshape_name))
        nodes.append(helper.make_node('Cast', [reshaped], ['label'], name=op('Cast'), to=TensorProto.INT64))
    elem, label_elem = ELEM[dtype], TensorProto.STRING if strings else TensorProto.INT64
    if zipmap:
        labels = {'classlabels_strings': classes} if strings else {'classlabels_int64s': classes}
        zipmap_name = op('ZipMap')
        if strings:
            nodes.append(helper.make_node('Identity', ['label'], ['output_label'], name=op('Identity')))
        else:
            nodes.append(helper.make_node('Cast', ['label'], ['output_label'], name=op('Cast'), to=TensorProto.INT64))
        nodes.append(helper.make_node('ZipMap', ['probabilities'], ['output_probability'], name=zipmap_name, domain='ai.onnx.ml',
                                      **labels))
        key = TensorProto.STRING if strings else TensorProto.INT64
        entry = onnx.TypeProto()
        entry.map_type.key_type = key
        entry.map_type.value_type.CopyFrom(helper.make_tensor_type_proto(elem, []))
        probability = helper.make_value_info('output_probability', helper.make_sequence_type_proto(entry))
        graph_outputs = [helper.make_tensor_value_info('output_label', label_elem, [None]), probability]
    else:
        graph_outputs = [helper.make_tensor_value_info('label', label_elem, [None]),
                         helper.make_tensor_value_info('probabilities', elem, [None, len(classes)])]
    graph = helper.make_graph(nodes, '0f6c2a9e1b7d4e3c8a5f2d6b9e1c4a7f', [helper.make_tensor_value_info('X', elem, [None, sizes[0]])],
                              graph_outputs, inits)
    return skl2onnx_header(graph, True), layers


def main():
    os.makedirs(OUT, exist_ok=True)
    f32, f64 = np.float32, np.float64
    save('torch-relu-sigmoid', *torch_model(f32, [4, 8, 6, 1], [('relu', None), ('relu', None), ('sigmoid', None)],
                                           'input', 'output', 'batch_size'), f32)
    save('torch-default-names', *torch_model(f32, [3, 5, 4], [('leakyRelu', 0.2), ('tanh', None)],
                                            'onnx::Gemm_0', '7', 1), f32, rows=1)
    save('torch-double-softmax', *torch_model(f64, [5, 7, 3], [('tanh', None), ('softmax', None)],
                                             'input', 'output', 'batch_size'), f64)
    save('tf2onnx-opset13', *tf2onnx_model(f32, [4, 10, 3], [('relu', None), ('softmax', None)], 13), f32)
    save('tf2onnx-opset15', *tf2onnx_model(f32, [6, 8, 8, 2], [('leakyRelu', 0.3), ('tanh', None), ('linear', None)], 15), f32)
    save('skl2onnx-float', *skl2onnx_regressor(f32, [5, 12, 6, 1], 'relu'), f32)
    save('skl2onnx-double', *skl2onnx_regressor(f64, [3, 9, 1], 'tanh'), f64)
    save('skl2onnx-binary', *skl2onnx_classifier(f32, [4, 6, 1], 'relu', [0, 1], True), f32, output='probabilities')
    save('skl2onnx-multiclass', *skl2onnx_classifier(f32, [4, 8, 5, 3], 'logistic', ['cat', 'dog', 'fish'], True), f32,
         output='probabilities')
    save('skl2onnx-binary-double', *skl2onnx_classifier(f64, [3, 5, 1], 'tanh', [0, 1], False), f64, output='probabilities')
    save('skl2onnx-multiclass-nozipmap', *skl2onnx_classifier(f32, [6, 7, 4], 'relu', [3, 5, 7, 9], False), f32,
         output='probabilities')

    # Malformed: each names what the reader must refuse.
    model, _ = torch_model(f32, [4, 3, 2], [('relu', None), ('linear', None)], 'input', 'output', 'batch_size')
    model.opset_import[0].version = 6
    save('bad-opset-6', model, None, f32, check=False)

    x = helper.make_tensor_value_info('input', TensorProto.FLOAT, ['N', 1, 8, 8])
    y = helper.make_tensor_value_info('output', TensorProto.FLOAT, ['N', 2, 6, 6])
    w = raw('conv.weight', rng.standard_normal((2, 1, 3, 3)).astype(f32))
    conv = helper.make_node('Conv', ['input', 'conv.weight'], ['output'], name='/conv/Conv', kernel_shape=[3, 3])
    save('bad-conv', helper.make_model(helper.make_graph([conv], 'main_graph', [x], [y], [w]),
                                       opset_imports=[helper.make_opsetid('', 17)]), None, f32)

    model, _ = torch_model(f32, [4, 3, 2], [('relu', None), ('linear', None)], 'input', 'output', 'batch_size')
    model.graph.initializer[3].CopyFrom(raw('2.bias', np.zeros(5, f32)))
    save('bad-bias-shape', model, None, f32, check=False)

    model, _ = torch_model(f32, [4, 3, 2], [('relu', None), ('linear', None)], 'input', 'output', 'batch_size')
    W = numpy_helper.to_array(model.graph.initializer[0]).copy()
    W[1, 2] = np.nan
    model.graph.initializer[0].CopyFrom(raw('0.weight', W))
    save('bad-nan-weight', model, None, f32)

    # A residual connection: the first layer's output feeds two nodes.
    x = helper.make_tensor_value_info('input', TensorProto.FLOAT, ['N', 3])
    y = helper.make_tensor_value_info('output', TensorProto.FLOAT, ['N', 3])
    W, b = weights(f32, 3, 3)
    nodes = [helper.make_node('Gemm', ['input', 'fc.weight', 'fc.bias'], ['/fc/Gemm_output_0'], name='/fc/Gemm', transB=1),
             helper.make_node('Relu', ['/fc/Gemm_output_0'], ['/relu/Relu_output_0'], name='/relu/Relu'),
             helper.make_node('Add', ['/fc/Gemm_output_0', '/relu/Relu_output_0'], ['output'], name='/Add')]
    save('bad-branch', helper.make_model(helper.make_graph(nodes, 'main_graph', [x], [y], [raw('fc.weight', W.T.copy()), raw('fc.bias', b)]),
                                         opset_imports=[helper.make_opsetid('', 17)]), None, f32)

    # skl2onnx's MLPRegressor of two targets: its Reshape to [-1, 1] puts each row's two values on rows of their own.
    save('bad-skl2onnx-two-targets', skl2onnx_regressor(f64, [3, 4, 2], 'relu')[0], None, f64)

    # Last, so that adding it left the random draws of the fixtures above as they were.
    save('skl2onnx-multilabel', *skl2onnx_classifier(f32, [4, 5, 3], 'relu', [0, 1, 2], False, multilabel=True), f32,
         output='probabilities')


main()

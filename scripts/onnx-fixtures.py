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
  skl2onnx (opset 15, with ai.onnx.ml imported), an MLPRegressor:
    MatMul / Add / Relu named MatMul, Add, Relu, MatMul1, ..., initializers
    coefficient, intercepts, coefficient1, ...; input X with an unnamed
    batch dimension, output variable; weights in float_data or double_data.

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


def save(name, model, layers, dtype, rows=16, check=True):
    if check:
        onnx.checker.check_model(model, full_check=True)
    with open(os.path.join(OUT, name + '.onnx'), 'wb') as f:
        f.write(model.SerializeToString())
    if layers is None:
        return
    x = (rng.standard_normal((rows, layers[0][0].shape[0])) * 2).astype(dtype)
    y = forward(x, layers)
    spec = {
        'dtype': 'float32' if dtype == np.float32 else 'float64',
        'layers': [{'units': int(W.shape[1]), 'activation': a, **({'alpha': float(al)} if a == 'leakyRelu' else {})}
                   for W, b, a, al in layers],
        'x': x.tolist(),
        'y': y.tolist(),
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


def skl2onnx_model(dtype, sizes):
    """An MLPRegressor (relu hidden layers, identity output) through skl2onnx.convert_sklearn."""
    nodes, inits, layers = [], [], []
    current = 'X'
    for l, units in enumerate(sizes[1:]):
        W, b = weights(dtype, sizes[l], units)
        last = l == len(sizes) - 2
        a = 'linear' if last else 'relu'
        layers.append((W, b, a, None))
        suffix = '' if l == 0 else str(l)
        inits += [typed(f'coefficient{suffix}', W), typed(f'intercepts{suffix}', b)]
        nodes.append(helper.make_node('MatMul', [current, f'coefficient{suffix}'], [f'mul_result{suffix}'], name=f'MatMul{suffix}'))
        out = 'variable' if last else f'add_result{suffix}'
        nodes.append(helper.make_node('Add', [f'mul_result{suffix}', f'intercepts{suffix}'], [out], name=f'Add{suffix}'))
        current = out
        if not last:
            nodes.append(helper.make_node('Relu', [current], [f'next_activations{suffix}'], name=f'Relu{suffix}'))
            current = f'next_activations{suffix}'
    elem = ELEM[dtype]
    graph = helper.make_graph(nodes, 'mlp', [helper.make_tensor_value_info('X', elem, [None, sizes[0]])],
                              [helper.make_tensor_value_info('variable', elem, [None, sizes[-1]])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 15), helper.make_opsetid('ai.onnx.ml', 1)],
                              producer_name='skl2onnx', producer_version='1.16.0')
    model.ir_version = 8
    return model, layers


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
    save('skl2onnx-float', *skl2onnx_model(f32, [5, 12, 6, 1]), f32)
    save('skl2onnx-double', *skl2onnx_model(f64, [3, 9, 2]), f64)

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


main()

"""Checks for solutions/modern_cnns.py: AlexNet, VGG, NiN blocks, GoogLeNet's Inception block.

The networks are traced by the ``run_network`` scenario of grader/checks/lenet.py (see its
docstring): structure from networks built on the meta device and traced shape-only (so
AlexNet's 47M and VGG-11's 129M parameters cost nothing), values with weights filled by
shape on small inputs (AlexNet: one 224 x 224 image, once; VGG: narrow blocks; the blocks: a
few pixels).  Dropout is checked structurally (it is invisible in eval mode): the F.dropout
calls of a training-mode forward pass, and none active in eval mode.
"""
from __future__ import annotations

import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.judge.api import (_, Failure, as_float64, check, examples)
from grader.checks.lenet import (BETWEEN, expect_parameters, expect_same_forward, expect_stages,
                                 on_reference, run_values, shape_text, stages_of, traced,
                                 call_text, layer_text, verified_layer_inputs)


# ============================================================================ shared
def expect_dropout(result: dict, name: str, after: int = 2) -> None:
    """Training mode: a dropout with p = 0.5 right after each of the first ``after`` fully
    connected layers (before the next one); evaluation mode: no dropout acts."""
    train = result["train"]
    if train.get("error"):
        raise Failure(_("{name} raised an error in training mode", name=name),
                      expected=_("an output tensor"),
                      actual=str(train["error"]))
    linear_seen, found = 0, {}
    for entry in train["trace"]:
        if entry["kind"] == "linear":
            linear_seen += 1
        elif entry["kind"] == "dropout" and entry.get("training"):
            found.setdefault(linear_seen, []).append(entry.get("p"))
    for layer in range(1, after + 1):
        ps = found.get(layer, [])
        if len(ps) != 1 or ps[0] is None or abs(ps[0] - 0.5) > 1e-9:
            raise Failure(_("{name} in training mode should apply dropout with p = 0.5 after "
                            "fully connected layer {layer} (after its ReLU, before the next "
                            "layer)", name=name, layer=layer),
                          expected=_("one dropout with p=0.5"),
                          actual=(_("no dropout") if not ps else
                                  ", ".join(_("dropout with p={p}", p=p) for p in ps)),
                          details=_dropout_summary(found))
    extra = {k: v for k, v in found.items() if k not in range(1, after + 1)}
    if extra:
        raise Failure(_("{name} applies dropout in other places too", name=name),
                      expected=_("dropout only after fully connected layers 1-{last}",
                                 last=after),
                      actual=_dropout_summary(found))
    active = [e for e in result["eval"]["trace"] if e["kind"] == "dropout" and e.get("training")]
    if active:
        raise Failure(_("{name} still drops activations in evaluation mode (net.eval())",
                        name=name),
                      expected=_("no dropout in evaluation mode"),
                      actual=_("{count} active dropout call(s)", count=len(active)),
                      details=_("F.dropout(x, p) is always active; use nn.Dropout(p), or "
                                "F.dropout(x, p, training=self.training)"))


def _dropout_summary(found: dict) -> str:
    if not found:
        return _("no active dropout at all in training mode")
    return "; ".join(_("after fully connected layer {layer}: {ps}", layer=k,
                       ps=", ".join(f"p={p}" for p in v))
                     if k else _("before the first fully connected layer: {ps}",
                                 ps=", ".join(f"p={p}" for p in v))
                     for k, v in sorted(found.items()))


def expect_nonnegative(result: dict, name: str, shape=None, seed=None) -> None:
    """The output has no negative value.  With ``shape`` and ``seed`` (the input run_values
    drew), the output is first re-derived in the judge: every stage replayed from the judge's
    own input and weights (lenet.verified_layer_inputs) and the output one activation after
    the last stage, so a forged output cannot pass."""
    out = result["output"]
    if shape is not None:
        X = torch.randn(shape, generator=torch.Generator().manual_seed(seed))
        verified_layer_inputs(result, X, seed, name)
        last = result["stages"][-1] if result["stages"] else X
        if not any(out.shape == between(last).shape and
                   torch.allclose(between(last), out, rtol=1e-4, atol=1e-5)
                   for __, between in BETWEEN):
            raise Failure(_("{name}: the output is not what its last layer gave (directly or "
                            "after a sigmoid, ReLU or tanh)", name=name),
                          expected=_("the last layer's output"), actual=_("something else"))
    if out.numel() and float(out.min()) < 0:
        index = tuple(int(i) for i in (out < 0).nonzero()[0])
        raise Failure(_("{name} gives negative values: its last operation should be a ReLU",
                        name=name),
                      expected=_("values >= 0"),
                      actual=_("{value} at index {index}", value=f"{float(out[index]):.6g}",
                               index=index))


# ============================================================================ AlexNet
ALEX_INPUT = (1, 1, 224, 224)
ALEX_PARAMS = [(96, 1, 11, 11), (96,), (256, 96, 5, 5), (256,), (384, 256, 3, 3), (384,),
               (384, 384, 3, 3), (384,), (256, 384, 3, 3), (256,), (4096, 6400), (4096,),
               (4096, 4096), (4096,), (10, 4096), (10,)]
# the stages are traced on the meta device, so a batch of two costs nothing: the docstring's
# input is (b, 1, 224, 224), and a batch of one hides a flatten that also flattens the batch
ALEX_BATCH = (2, 1, 224, 224)
ALEX_STAGES = [("conv", (2, 96, 54, 54)), ("pool", (2, 96, 26, 26)), ("conv", (2, 256, 26, 26)),
               ("pool", (2, 256, 12, 12)), ("conv", (2, 384, 12, 12)), ("conv", (2, 384, 12, 12)),
               ("conv", (2, 256, 12, 12)), ("pool", (2, 256, 5, 5)), ("linear", (2, 4096)),
               ("linear", (2, 4096)), ("linear", (2, 10))]


@check("alexnet", hint="five convolutions (96@11x11, 256@5x5, 384@3x3, 384@3x3, 256@3x3, the "
                       "first with 1 input channel) and three fully connected layers "
                       "(6400 -> 4096 -> 4096 -> 10), every layer with a bias.")
def test_alexnet_parameter_shapes(student):
    """has the book's parameters: 16 tensors, 46,764,746 numbers"""
    expect_parameters(traced(student, "alexnet", (), ALEX_INPUT, "params"), ALEX_PARAMS, "alexnet()")


@check("alexnet", hint="side after a conv or pool: (n + 2p - k) // s + 1.  The first conv has "
                       "stride 4 and padding 1 (224 -> 54); the 3 x 3 max poolings have "
                       "stride 2; the other convs keep the size (padding 2 for 5 x 5, 1 for "
                       "3 x 3); 256 x 5 x 5 = 6400 features reach the first linear layer.")
def test_alexnet_stage_shapes(student):
    """each convolution, pooling and fully connected layer gives the book's output shape on a batch of two (2, 1, 224, 224) images"""
    result = traced(student, "alexnet", (), ALEX_BATCH)
    expect_stages(result["eval"], ALEX_STAGES, "alexnet()", (2, 10))


@check("alexnet", hint="nn.Dropout(0.5) after the ReLU of each of the first two fully "
                       "connected layers; nn.Dropout switches itself off in net.eval().")
def test_alexnet_uses_dropout(student):
    """applies dropout (p = 0.5) after the first two fully connected layers in training mode only"""
    expect_dropout(traced(student, "alexnet", (), ALEX_INPUT, "dropout"), "alexnet()")


@check("alexnet", hint="compare each layer with the docstring: kernel sizes, strides and "
                       "paddings (the first conv: 11 x 11, stride 4, padding 1), max pooling "
                       "3 x 3 stride 2, a ReLU after every conv and the first two linear layers.")
def test_alexnet_forward_matches_reference(student, reference):
    """with the same weights (given by shape), gives the book's AlexNet output on a 224 x 224 image (eval mode)"""
    got = run_values(student, "alexnet", (), ALEX_INPUT, 3)
    expect_same_forward(got, on_reference(reference, "alexnet", (), ALEX_INPUT, 3), "alexnet()")


# ============================================================================ VGG block
@st.composite
def _vgg_block_case(draw):
    num_convs = draw(st.integers(1, 3))
    in_channels, out_channels = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    h, w = draw(st.integers(2, 11)), draw(st.integers(2, 11))
    return (num_convs, in_channels, out_channels), (draw(st.integers(1, 2)), in_channels, h, w)


def _vgg_block_params(num_convs, in_channels, out_channels):
    shapes = [(out_channels, in_channels, 3, 3), (out_channels,)]
    shapes += [(out_channels, out_channels, 3, 3), (out_channels,)] * (num_convs - 1)
    return shapes


@check("vgg_block", hint="num_convs 3 x 3 convolutions: the first in_channels -> out_channels, "
                         "the others out_channels -> out_channels (update in_channels in the "
                         "loop), each with a bias.")
@examples(6)
@given(case=_vgg_block_case())
def test_vgg_block_parameter_shapes(student, case):
    """has num_convs 3 x 3 convolutions: in_channels -> out_channels, then out_channels -> out_channels"""
    args, shape = case
    expect_parameters(traced(student, "vgg_block", args, shape, "params"), _vgg_block_params(*args),
                      call_text("vgg_block", args))


@check("vgg_block", hint="padding=1 keeps a 3 x 3 convolution's output the input's size; the "
                         "block ends with nn.MaxPool2d(kernel_size=2, stride=2), which halves "
                         "height and width (rounding down).")
@examples(8)
@given(case=_vgg_block_case())
def test_vgg_block_stage_shapes(student, case):
    """its convolutions keep height and width, then one 2 x 2 max pooling halves them"""
    (num_convs, __, out_channels), (b, __, h, w) = case
    stages = [("conv", (b, out_channels, h, w))] * num_convs + \
             [("pool", (b, out_channels, h // 2, w // 2))]
    expect_stages(traced(student, "vgg_block", case[0], case[1])["eval"], stages,
                  call_text("vgg_block", case[0]), (b, out_channels, h // 2, w // 2))


@check("vgg_block", hint="every convolution is followed by a ReLU, so the pooled output "
                         "cannot be negative.")
@examples(5)
@given(case=_vgg_block_case())
def test_vgg_block_nonnegative_output(student, case):
    """its output is never negative (a ReLU after every convolution, before the pooling)"""
    expect_nonnegative(run_values(student, "vgg_block", case[0], case[1], 5),
                       call_text("vgg_block", case[0]), case[1], 5)


@check("vgg_block", hint="conv 3 x 3 (padding 1) and ReLU, num_convs times, then max pooling "
                         "2 x 2 with stride 2.")
@examples(8)
@given(case=_vgg_block_case())
def test_vgg_block_forward_matches_reference(student, reference, case):
    """with the same weights (given by shape), gives the book's vgg_block output"""
    args, shape = case
    expect_same_forward(run_values(student, "vgg_block", args, shape, 11),
                        on_reference(reference, "vgg_block", args, shape, 11),
                        call_text("vgg_block", args))


# ============================================================================ VGG
VGG_11 = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
VGG_SMALL = ((1, 3), (1, 5), (2, 6), (2, 7), (2, 9))   # narrow blocks: cheap values
VGG_SMALL_INPUT = (1, 1, 224, 224)


def _vgg_params(conv_arch):
    shapes, in_channels = [], 1
    for num_convs, out_channels in conv_arch:
        shapes += _vgg_block_params(num_convs, in_channels, out_channels)
        in_channels = out_channels
    return shapes + [(4096, in_channels * 7 * 7), (4096,), (4096, 4096), (4096,), (10, 4096), (10,)]


def _vgg_stages(conv_arch, b, side):
    stages = []
    for num_convs, out_channels in conv_arch:
        stages += [("conv", (b, out_channels, side, side))] * num_convs
        side //= 2
        stages.append(("pool", (b, out_channels, side, side)))
    return stages + [("linear", (b, 4096)), ("linear", (b, 4096)), ("linear", (b, 10))]


@check("vgg", hint="the first block has 1 input channel, each next block the previous block's "
                   "out_channels; the first linear layer has (last out_channels) * 7 * 7 inputs.")
def test_vgg_parameter_shapes(student):
    """has the book's parameters: VGG-11 has 128,806,154; a narrow five-block VGG matches too"""
    for arch in (VGG_11, VGG_SMALL):
        expect_parameters(traced(student, "vgg", (arch,), VGG_SMALL_INPUT, "params"), _vgg_params(arch),
                          call_text("vgg", (arch,)))


@st.composite
def _vgg_arch(draw):
    blocks = draw(st.integers(1, 5))
    arch = tuple((draw(st.integers(1, 2)), draw(st.integers(1, 8))) for __ in range(blocks))
    return arch, 7 * 2 ** blocks


@check("vgg", hint="build one vgg_block(num_convs, in_channels, out_channels) per entry of "
                   "conv_arch, in order (each block halves the size), then Flatten and the "
                   "three linear layers.")
@examples(6)
@given(case=_vgg_arch())
def test_vgg_stage_shapes(student, case):
    """has one VGG block per entry of conv_arch (each halves the size down to 7 x 7), then three fully connected layers"""
    arch, side = case
    # a batch of two (free on the meta device): see ALEX_BATCH
    expect_stages(traced(student, "vgg", (arch,), (2, 1, side, side))["eval"],
                  _vgg_stages(arch, 2, side), call_text("vgg", (arch,)), (2, 10))


@check("vgg", hint="nn.Dropout(0.5) after the ReLU of each of the first two fully connected "
                   "layers; nn.Dropout switches itself off in net.eval().")
def test_vgg_uses_dropout(student):
    """applies dropout (p = 0.5) after the first two fully connected layers in training mode only"""
    expect_dropout(traced(student, "vgg", (VGG_SMALL,), VGG_SMALL_INPUT, "dropout"),
                   call_text("vgg", (VGG_SMALL,)))


@check("vgg", hint="the blocks in conv_arch's order, then Flatten, Linear + ReLU + Dropout "
                   "twice, and the last Linear (no activation after it).")
def test_vgg_forward_matches_reference(student, reference):
    """with the same weights (given by shape), gives the book's VGG output for a narrow five-block conv_arch (eval mode)"""
    got = run_values(student, "vgg", (VGG_SMALL,), VGG_SMALL_INPUT, 13)
    expect_same_forward(got, on_reference(reference, "vgg", (VGG_SMALL,), VGG_SMALL_INPUT, 13),
                        call_text("vgg", (VGG_SMALL,)))


# ============================================================================ NiN block
@st.composite
def _nin_case(draw):
    in_channels, out_channels = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    kernel_size, strides, padding = draw(st.integers(1, 5)), draw(st.integers(1, 3)), \
        draw(st.integers(0, 2))
    low = max(1, kernel_size - 2 * padding)
    h, w = draw(st.integers(low, low + 8)), draw(st.integers(low, low + 8))
    return (in_channels, out_channels, kernel_size, strides, padding), \
        (draw(st.integers(1, 2)), in_channels, h, w)


def _nin_out(args, shape):
    __, out_channels, k, s, p = args
    return (shape[0], out_channels, (shape[2] + 2 * p - k) // s + 1, (shape[3] + 2 * p - k) // s + 1)


@check("nin_block", hint="one conv in_channels -> out_channels with the given kernel_size, "
                         "then two 1 x 1 convs out_channels -> out_channels, all with biases.")
@examples(6)
@given(case=_nin_case())
def test_nin_block_parameter_shapes(student, case):
    """has a kernel_size x kernel_size convolution and two 1 x 1 convolutions"""
    args, shape = case
    i, o, k = args[:3]
    expect_parameters(traced(student, "nin_block", args, shape, "params"),
                      [(o, i, k, k), (o,), (o, o, 1, 1), (o,), (o, o, 1, 1), (o,)],
                      call_text("nin_block", args))


@check("nin_block", hint="pass kernel_size, strides and padding to the first convolution "
                         "(nn.Conv2d(in, out, kernel_size, strides, padding)); the 1 x 1 "
                         "convolutions keep the size.")
@examples(8)
@given(case=_nin_case())
def test_nin_block_stage_shapes(student, case):
    """its first convolution uses kernel_size, strides and padding; the two 1 x 1 convolutions keep the shape"""
    args, shape = case
    out = _nin_out(args, shape)
    expect_stages(traced(student, "nin_block", args, shape)["eval"], [("conv", out)] * 3,
                  call_text("nin_block", args), out)


@check("nin_block", hint="each of the three convolutions is followed by a ReLU, the last one "
                         "included.")
@examples(5)
@given(case=_nin_case())
def test_nin_block_nonnegative_output(student, case):
    """its output is never negative (the block ends with a ReLU)"""
    expect_nonnegative(run_values(student, "nin_block", case[0], case[1], 5),
                       call_text("nin_block", case[0]), case[1], 5)


@check("nin_block", hint="conv, ReLU, 1 x 1 conv, ReLU, 1 x 1 conv, ReLU: a ReLU after each "
                         "of the three convolutions.")
@examples(8)
@given(case=_nin_case())
def test_nin_block_forward_matches_reference(student, reference, case):
    """with the same weights (given by shape), gives the book's nin_block output"""
    args, shape = case
    expect_same_forward(run_values(student, "nin_block", args, shape, 17),
                        on_reference(reference, "nin_block", args, shape, 17),
                        call_text("nin_block", args))


# ============================================================================ Inception
@st.composite
def _inception_case(draw):
    """Six distinct channel counts: every parameter shape is unique, so weights given by shape
    cannot depend on the order the paths were registered in."""
    c1, c2a, c2b, c3a, c3b, c4 = draw(st.permutations(range(1, 9)))[:6]
    in_channels = draw(st.integers(1, 4))
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    return (in_channels, c1, (c2a, c2b), (c3a, c3b), c4), (draw(st.integers(1, 2)), in_channels, h, w)


def _inception_params(in_channels, c1, c2, c3, c4):
    return [(c1, in_channels, 1, 1), (c1,), (c2[0], in_channels, 1, 1), (c2[0],),
            (c2[1], c2[0], 3, 3), (c2[1],), (c3[0], in_channels, 1, 1), (c3[0],),
            (c3[1], c3[0], 5, 5), (c3[1],), (c4, in_channels, 1, 1), (c4,)]


@check("Inception", hint="path 1: 1x1 conv (c1); path 2: 1x1 conv (c2[0]) then 3x3 conv "
                         "(c2[0] -> c2[1]); path 3: 1x1 conv (c3[0]) then 5x5 conv (c3[0] -> "
                         "c3[1]); path 4: max pooling then 1x1 conv (c4); all with biases.")
@examples(6)
@given(case=_inception_case())
def test_inception_parameter_shapes(student, case):
    """has the four paths' convolutions: 1x1 (c1); 1x1 (c2[0]) and 3x3 (c2[1]); 1x1 (c3[0]) and 5x5 (c3[1]); 1x1 (c4)"""
    args, shape = case
    expect_parameters(traced(student, "Inception", args, shape, "params"), _inception_params(*args),
                      call_text("Inception", args))


@check("Inception", hint="every path keeps height and width (padding 1 for the 3x3 conv and "
                         "the 3x3 max pooling with stride 1, padding 2 for the 5x5 conv); "
                         "torch.cat(..., dim=1) joins the paths on the channel dimension.")
@examples(8)
@given(case=_inception_case())
def test_inception_output_shape(student, case):
    """gives (b, c1 + c2[1] + c3[1] + c4, h, w): the paths keep the size and are joined on the channels"""
    (in_channels, c1, c2, c3, c4), (b, __, h, w) = case
    phase = traced(student, "Inception", case[0], case[1])["eval"]
    want = (b, c1 + c2[1] + c3[1] + c4, h, w)
    if phase.get("error"):
        convs = stages_of(phase["trace"], ("conv", "pool"))
        raise Failure(_("{call} raised an error on an input of shape {shape}",
                        call=call_text('Inception', case[0]), shape=shape_text(case[1])),
                      expected=_("an output of shape {shape}", shape=shape_text(want)),
                      actual=str(phase["error"]),
                      details=_("the paths' outputs before it: {outputs}", outputs=(
                          "; ".join(f"{layer_text(e)} -> {shape_text(e['shape'] or ())}"
                                    for e in convs) or _("none"))))
    if phase.get("output") != list(want):
        out = phase.get("output")
        raise Failure(_("{call} gives an output of the wrong shape on an input of shape "
                        "{shape}", call=call_text('Inception', case[0]),
                        shape=shape_text(case[1])),
                      expected=_("shape {shape}", shape=shape_text(want)),
                      actual=_("shape {shape}", shape=shape_text(out)) if isinstance(out, list)
                      else _("a {kind}", kind=phase.get('returned')))


@check("Inception", hint="every path ends with a ReLU, path 4 (pooling, then 1 x 1 conv) "
                         "included.")
@examples(5)
@given(case=_inception_case())
def test_inception_nonnegative_output(student, case):
    """its output is never negative (every path ends with a ReLU)"""
    expect_nonnegative(run_values(student, "Inception", case[0], case[1], 5),
                       call_text("Inception", case[0]), case[1], 5)


def _path_order(got: dict, ref: dict, sizes) -> str | None:
    """Where each reference path's channels appear in the student's output."""
    mine, theirs = got["output"], ref["output"]
    if mine.shape != theirs.shape:
        return None
    names = [_("path 1 (1x1 conv)"), _("path 2 (1x1 + 3x3 conv)"), _("path 3 (1x1 + 5x5 conv)"),
             _("path 4 (pooling + 1x1 conv)")]
    start, notes = 0, []
    for name, size in zip(names, sizes):
        block = theirs[:, start:start + size]
        tol = 1e-4 * max(1.0, float(block.abs().max()) if block.numel() else 1.0)
        found = [o for o in range(mine.shape[1] - size + 1)
                 if torch.allclose(*as_float64(mine[:, o:o + size], block), rtol=1e-4, atol=tol)]
        if start not in found:
            where = (_("your output has it at channels {first}-{last}", first=found[0],
                       last=found[0] + size - 1)
                     if found else _("its values appear nowhere in your output"))
            notes.append(_("channels {first}-{last} should hold {path}; {where}", first=start,
                           last=start + size - 1, path=name, where=where))
        start += size
    if not notes:
        return None
    return _("{notes} (concatenate p1, p2, p3, p4 in this order on dim 1)",
             notes="; ".join(notes))


@check("Inception", hint="compare each path with the docstring (kernel sizes, paddings, a ReLU "
                         "after every conv but not after the pooling), and concatenate the "
                         "paths in the order 1, 2, 3, 4.")
@examples(8)
@given(case=_inception_case())
def test_inception_forward_matches_reference(student, reference, case):
    """with the same weights (given by shape), gives the book's Inception output"""
    args, shape = case
    sizes = (args[1], args[2][1], args[3][1], args[4])
    expect_same_forward(run_values(student, "Inception", args, shape, 19),
                        on_reference(reference, "Inception", args, shape, 19),
                        call_text("Inception", args),
                        extra=lambda got, ref: _path_order(got, ref, sizes))

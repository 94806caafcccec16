"""Hints for a check that failed because the student's code raised an exception.

When a call of student code raises, the check is reported as an ``error`` with the exception
(its type and message) and the lines of the student's own files where it happened
(grader/judge/student.py ``describe_error``: "at convolution.py, line 9, in corr2d: ...", or
the notebook cell).  This module adds the hint: what that *kind* of error usually means in
this course's code, and what to look at, in the student's language (domain ``grader``).

It is a table, :data:`RULES`.  Each :class:`Rule` names the exception types it applies to (by
name: only the type's name and message come back from the worker) and the regular expressions
of the messages it explains; the first rule with a matching type and message gives the hint.
The patterns are torch's own messages (torch 2.x, as tests/test_error_hints.py raises them
with the installed torch) and, where students still meet them, their older forms (torch 1.x:
"size mismatch, m1: [4 x 400], m2: [256 x 120]", "Expected 4-dimensional input for
4-dimensional weight", "expected scalar type Float but found Double"), and Python's own.

A pattern's named groups are the hint's placeholders (sizes, dtypes, names: numbers and
identifiers only, each a few characters at most).  The message is the student's to choose, so
nothing longer or freer than that ever reaches the hint; the hint never names a file, a path
or the reference.  A message no rule explains gets no hint (never a wrong one).

Use: :func:`hint_for_error` ``(type_name, message)`` -> the hint, or None;
:func:`hint_for_reported` for an exception a check caught in a scenario and reported as what
came back (``"RuntimeError: mat1 and mat2 shapes ..."``, as the network checks of
grader/checks/lenet.py and modern_cnns.py do).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from grader.i18n import N_, _

# placeholders' shapes: what a group may capture (never free text)
_INT = r"-?\d{1,9}"
_SHAPE = r"[\d, ]{0,60}"
_NAME = r"[A-Za-z_][\w.]{0,60}"
_DTYPE = r"[A-Za-z][\w ]{0,20}"


@dataclass(frozen=True)
class Rule:
    """One kind of error: ``types`` (exception type names; empty: any type), ``patterns``
    (searched in the message; the first that matches gives the placeholders; none: the types
    alone decide, and ``values`` gets None), ``hint`` (a msgid of domain ``grader``),
    ``values`` (optional: the placeholders from the match, or None when the rule does not
    apply after all)."""
    name: str
    types: tuple[str, ...]
    patterns: tuple[str, ...]
    hint: str
    values: Callable[[re.Match], dict | None] | None = None
    compiled: tuple = field(default=(), compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "compiled", tuple(re.compile(p) for p in self.patterns))

    def match(self, type_name: str, message: str) -> dict | None:
        if self.types and type_name not in self.types:
            return None
        for pattern in self.compiled:
            found = pattern.search(message)
            if found is not None:
                groups = {k: v.strip() for k, v in found.groupdict().items() if v is not None}
                return self.values(found) if self.values else groups
        return None


# the imports that a NameError of these names asks for
IMPORTS = {
    "torch": "import torch",
    "nn": "from torch import nn",
    "F": "from torch.nn import functional as F",
    "functional": "from torch.nn import functional",
    "np": "import numpy as np",
    "numpy": "import numpy",
    "math": "import math",
    "random": "import random",
    "collections": "import collections",
    "re": "import re",
    "d2l": "from d2l import torch as d2l",
}


def _import_of(found: re.Match) -> dict | None:
    name = found["name"]
    return {"name": name, "statement": IMPORTS[name]} if name in IMPORTS else None


def _memory(found: re.Match | None) -> dict:
    """The size asked for, in MB or GB (MemoryError says none: "more than the limit")."""
    amount = int(found["bytes"]) if found is not None and found["bytes"] else None
    if amount is None:
        return {"size": _("more than the limit")}
    if amount < 2**30:
        return {"size": _("{megabytes} MB", megabytes=f"{amount / 2**20:,.0f}")}
    return {"size": _("{gigabytes} GB", gigabytes=f"{amount / 2**30:,.1f}")}


_RUNTIME = ("RuntimeError",)

RULES: tuple[Rule, ...] = (
    # ---------------------------------------------------------------- shapes
    Rule("matmul_shapes", _RUNTIME, (
        rf"mat1 and mat2 shapes cannot be multiplied \((?P<a>{_INT})x(?P<b>{_INT}) and "
        rf"(?P<c>{_INT})x(?P<d>{_INT})\)",
        rf"size mismatch, m1: \[(?P<a>{_INT}) x (?P<b>{_INT})\], m2: \[(?P<c>{_INT}) x "
        rf"(?P<d>{_INT})\]"),
        N_("a matrix product (@, torch.mm, torch.matmul, nn.Linear) of {a}x{b} by {c}x{d}: "
           "the inner sizes, {b} and {c}, must be equal.  Use * for an element-wise product "
           "(as in a cross-correlation); for an nn.Linear layer, in_features ({c}) must be "
           "the number of features its input has ({b}): print X.shape before each layer.")),
    Rule("batch_matmul", _RUNTIME, (
        rf"Expected size for first two dimensions of batch2 tensor to be: \[(?P<want>{_SHAPE})\] "
        rf"but got: \[(?P<got>{_SHAPE})\]",),
        N_("torch.bmm (and @ on 3-D tensors) multiplies (batch, n, k) by (batch, k, m): both "
           "operands need the same batch size and the same k.  The second operand should "
           "start with [{want}] but starts with [{got}].  In attention, queries @ "
           "keys.transpose(1, 2) gives the scores, and the scores @ values needs as many "
           "values as keys.")),
    Rule("batch_matmul_dims", _RUNTIME, (r"batch[12] must be a 3D tensor",),
        N_("torch.bmm takes two 3-D tensors, (batch, n, k) and (batch, k, m): for 2-D "
           "matrices use @ or torch.mm, or add the batch dimension with unsqueeze(0).")),
    Rule("matrix_vector", _RUNTIME, (
        rf"size mismatch, got input \((?P<n>{_INT})\), mat \((?P<a>{_INT})x(?P<b>{_INT})\), "
        rf"vec \((?P<v>{_INT})\)",),
        N_("a matrix times a vector (@, torch.mv) needs as many vector elements as the matrix "
           "has columns: the matrix is {a}x{b}, the vector has {v} elements.")),
    Rule("vectors", _RUNTIME, (
        rf"inconsistent tensor size, expected tensor \[(?P<a>{_SHAPE})\] and src "
        rf"\[(?P<b>{_SHAPE})\] to have the same number of elements",
        r"1D tensors expected, but got (?P<a>\d)D and (?P<b>\d)D tensors"),
        N_("a dot product (torch.dot, or @ on two 1-D tensors) needs two 1-D tensors of the "
           "same length: here [{a}] and [{b}].")),
    Rule("broadcast", _RUNTIME, (
        rf"The size of tensor a \((?P<a>{_INT})\) must match the size of tensor b "
        rf"\((?P<b>{_INT})\) at non-singleton dimension (?P<dim>{_INT})",),
        N_("element-wise operations (+, -, *, /, torch.where, masked_fill) broadcast: the "
           "shapes are aligned from their last dimension and each pair of sizes must be equal "
           "or 1.  Here dimension {dim} has sizes {a} and {b}.  Print both shapes at the line "
           "shown: a missing unsqueeze (or keepdim=True in sum or mean), a transposed operand "
           "or a size computed with the wrong formula are the usual causes.")),
    Rule("assign_shape", _RUNTIME, (
        rf"The expanded size of the tensor \((?P<want>{_INT})\) must match the existing size "
        rf"\((?P<got>{_INT})\) at non-singleton dimension (?P<dim>{_INT})",),
        N_("a tensor of the wrong shape is written into a slice (Y[i] = value, "
           "Y[:, j] = value) or expanded: dimension {dim} has {got} elements where {want} are "
           "needed.  The value must have the slice's shape (or broadcast to it).")),
    Rule("reshape", _RUNTIME, (
        rf"shape '\[(?P<shape>{_SHAPE})\]' is invalid for input of size (?P<n>{_INT})",),
        N_("view or reshape to [{shape}] must keep the number of elements, {n}: the product "
           "of the new sizes must be {n}.  Compute the sizes from the input's own shape "
           "(X.shape), not from constants, and let -1 stand for one of them.")),
    Rule("view_contiguous", _RUNTIME, (r"view size is not compatible with input tensor's size "
                                       r"and stride",),
        N_("view needs a tensor whose elements are in order in memory, which transpose, "
           "permute and some slices undo: use reshape (it copies when it must), or call "
           ".contiguous() before .view.")),
    Rule("view_two_unknown", _RUNTIME, (r"only one dimension can be inferred",),
        N_("view and reshape accept -1 for one size only: give the other sizes explicitly.")),
    Rule("negative_size", _RUNTIME, (
        r"Dimension size must be non-negative",
        rf"Trying to create tensor with negative dimension (?P<size>{_INT})"),
        N_("a tensor is created with a negative size: the size formula gives less than 0 for "
           "this input (for a convolution the output is h - kh + 1 without padding, and "
           "(h + 2p - kh) // s + 1 with padding p and stride s; a kernel larger than the "
           "input gives nothing valid).")),
    Rule("conv_input_dims", _RUNTIME, (
        rf"Expected \d+D \(unbatched\) or \d+D \(batched\) input to (?P<op>conv[123]d), but "
        rf"got input of size: \[(?P<shape>{_SHAPE})\]",
        rf"Expected \d+-dimensional input for \d+-dimensional weight \[[\d, ]{{0,60}}\], but "
        rf"got \d+-dimensional input of size \[(?P<shape>{_SHAPE})\] instead"),
        N_("a convolution layer (nn.Conv2d, F.conv2d) takes a 4-D input (batch size, "
           "channels, height, width), or 3-D without the batch; this input has shape "
           "[{shape}].  A single 2-D image of shape (h, w) becomes X.reshape(1, 1, h, w), as "
           "in the book; a network's input keeps its batch dimension through every layer.")),
    Rule("conv_channels", _RUNTIME, (
        rf"Given groups=\d+, weight of size \[[\d, ]{{0,60}}\], expected input\[(?P<shape>{_SHAPE})"
        rf"\] to have (?P<want>{_INT}) channels, but got (?P<got>{_INT}) channels instead",),
        N_("this convolution was built for {want} input channels but its input has {got}: "
           "each convolution's in_channels must equal the out_channels of the layer before "
           "it (or the image's channels for the first one), and the input must be (batch, "
           "channels, height, width), channels second.")),
    Rule("kernel_too_big", _RUNTIME, (
        r"Calculated padded input size per channel: \((?P<input>[\d x]{1,30})\)\. Kernel "
        r"size: \((?P<kernel>[\d x]{1,30})\)\. Kernel size can't be greater than actual input "
        r"size",
        r"Given input size: \((?P<input>[\dx]{1,30})\)\. Calculated output size: "
        r"\((?P<output>[\dx]{1,30})\)\. Output size is too small"),
        N_("the input of this layer ({input} per channel, padding included) is smaller than "
           "its window: the layers before it shrink the image too much (too little padding, "
           "too large a stride or pooling window).  Follow the shape layer by layer as the "
           "book does, with output size (n + 2p - k) // s + 1.")),
    Rule("pool_input_dims", _RUNTIME, (r"non-empty 3D or 4D \(batch mode\) tensor expected for "
                                       r"input",),
        N_("pooling layers (nn.MaxPool2d, F.max_pool2d) take a 4-D input (batch size, "
           "channels, height, width), or 3-D without the batch.")),
    Rule("cat", _RUNTIME, (
        rf"Tensors must have same number of dimensions: got (?P<a>{_INT}) and (?P<b>{_INT})",
        rf"Sizes of tensors must match except in dimension (?P<dim>{_INT})\. Expected size "
        rf"(?P<a>{_INT}) but got size (?P<b>{_INT})",
        rf"stack expects each tensor to be equal size, but got \[(?P<a>{_SHAPE})\] at entry "
        rf"\d+ and \[(?P<b>{_SHAPE})\]"),
        N_("torch.cat joins tensors along an existing dimension: all other sizes must be "
           "equal; torch.stack adds a new dimension: all shapes must be equal.  Here the "
           "tensors differ ({a} and {b}): print their shapes, and check the dim argument.")),
    Rule("stack_empty", _RUNTIME, (r"stack expects a non-empty TensorList",
                                   r"expected a non-empty list of Tensors"),
        N_("torch.stack and torch.cat got an empty list: the loop that fills it ran zero "
           "times for this input (a size of 0, or a range that is empty).")),
    Rule("rnn_input", _RUNTIME, (
        rf"input\.size\(-1\) must be equal to input_size\. Expected (?P<want>{_INT}), got "
        rf"(?P<got>{_INT})",),
        N_("the recurrent layer was built with input_size={want} but each time step of its "
           "input has {got} features.  In seq2seq the decoder's GRU takes the embedding "
           "concatenated with the context: embed_size + num_hiddens.")),
    Rule("rnn_state", _RUNTIME, (
        rf"Expected hidden size \((?P<want>{_SHAPE})\), got \[(?P<got>{_SHAPE})\]",),
        N_("the recurrent layer's state must have shape (num_layers, batch size, "
           "num_hiddens): ({want}) here, but it got [{got}].")),
    Rule("norm_features", _RUNTIME, (
        rf"running_mean should contain (?P<got>{_INT}) elements not (?P<want>{_INT})",),
        N_("this BatchNorm layer was built for {want} features (or channels) but its input "
           "has {got}: num_features must be the size of the input's dimension 1.")),
    Rule("out_of_memory", ("RuntimeError", "MemoryError"), (
        rf"can't allocate memory: you tried to allocate (?P<bytes>\d{{1,30}}) bytes",), N_("your code asked for more memory than it may use ({size}): a tensor far "
                  "larger than the answer, from a shape gone wrong (broadcasting (n, 1) with "
                  "(1, n) makes n x n; a size taken from numel() instead of one dimension), or "
                  "a list that grows in a loop without end."), _memory),
    Rule("memory_error", ("MemoryError",), (), N_(
        "your code asked for more memory than it may use ({size}): a tensor far larger than "
        "the answer, from a shape gone wrong (broadcasting (n, 1) with (1, n) makes n x n; a "
        "size taken from numel() instead of one dimension), or a list that grows in a loop "
        "without end."), lambda found: _memory(None)),
    # ---------------------------------------------------------------- dtypes
    Rule("dtype_mix", ("RuntimeError", "ValueError"), (
        rf"expected scalar type (?P<a>{_DTYPE}) but found (?P<b>{_DTYPE})",
        rf"mat1 and mat2 must have the same dtype, but got (?P<a>{_DTYPE}) and (?P<b>{_DTYPE})",
        rf"expected m1 and m2 to have the same dtype, but got: (?P<a>{_DTYPE}) != "
        rf"(?P<b>{_DTYPE})",
        rf"Input type \((?P<a>{_DTYPE})\) and (?:weight|bias) type \((?P<b>{_DTYPE})\) should be "
        rf"the same",
        rf"Found dtype (?P<a>{_DTYPE}) but expected (?P<b>{_DTYPE})",
        rf"Index put requires the source and destination dtypes match, got (?P<a>{_DTYPE}) for "
        rf"the destination and (?P<b>{_DTYPE}) for the source",
        rf"RNN input dtype \((?P<a>[\w.]{{1,30}})\) does not match weight dtype "
        rf"\((?P<b>[\w.]{{1,30}})\)"),
        N_("two tensors of different dtypes meet ({a} and {b}): torch does not mix float32, "
           "float64 and integer tensors in a matrix product, a layer or an assignment.  "
           "Create new tensors with the input's dtype (torch.zeros(..., dtype=X.dtype), "
           "X.new_zeros, torch.zeros_like); tensors made from numpy arrays are float64, and "
           "torch.tensor([1, 2]) or torch.arange(n) are integers.")),
    Rule("integer_math", ("RuntimeError", "NotImplementedError"), (
        rf"could not infer output dtype\. Input dtype must be either a floating point or "
        rf"complex dtype\. Got: (?P<dtype>{_DTYPE})",
        rf"not implemented for '(?P<dtype>{_DTYPE})'",
        rf"result type (?P<result>{_DTYPE}) can't be cast to the desired output type "
        rf"(?P<dtype>{_DTYPE})",
        rf"Expected a floating point or complex tensor as input\. Got (?P<dtype>{_DTYPE})",
        r"(?i)only Tensors of floating point(?: and complex)? dtype can require gradients"),
        N_("this operation needs floating-point numbers but got an integer (or bool) tensor: "
           "torch.arange(n) and torch.tensor of integers are int64, and an in-place "
           "operation (/=, *= 0.5) cannot turn them into floats.  Use torch.arange(n, "
           "dtype=torch.float32), X.float(), or the input's dtype.")),
    Rule("index_dtype", ("RuntimeError", "IndexError"), (
        r"Expected tensor for argument #1 'indices' to have one of the following scalar "
        r"types: Long, Int",
        r"expected target dtype to be Long",
        r"tensors used as indices must be long, int, byte or bool tensors",
        r"Expected dtype int32/int64 for index",
        r"only integers, slices \(`:`\), ellipsis \(`...`\), None and long or byte Variables "
        r"are valid indices"),
        N_("indices (token ids for an nn.Embedding, class labels for a loss, positions for "
           "indexing or gather) must be integers: an integer tensor (torch.long) or a Python "
           "int, never a float such as the result of /.  Use //, int(...), or .long().")),
    Rule("mask_dtype", _RUNTIME, (r"masked_fill_? only supports boolean masks",
                                  r"Subtraction, the `-` operator, with (?:two bool tensors|"
                                  r"a bool tensor)"),
        N_("a mask is a bool tensor: masked_fill needs one (compare, e.g. "
           "torch.arange(n)[None, :] < valid_len[:, None]), and it is inverted with ~mask, "
           "not 1 - mask; use mask.float() where numbers are needed.")),
    # ---------------------------------------------------------------- autograd
    Rule("inplace_autograd", _RUNTIME, (r"one of the variables needed for gradient "
                                        r"computation has been modified by an inplace "
                                        r"operation",),
        N_("backward() needs values that an in-place operation (+=, *=, X[i] = ..., relu_, "
           "add_) has overwritten since they were used.  Compute a new tensor instead (Y = "
           "X * mask, not X *= mask) on the path from the parameters to the loss.")),
    Rule("leaf_inplace", _RUNTIME, (r"a leaf Variable that requires grad is being used in an "
                                    r"in-place operation",
                                    r"A view was created in no_grad mode and is being modified "
                                    r"inplace with grad mode enabled"),
        N_("a parameter (a tensor with requires_grad=True) is changed in place while "
           "autograd records: update parameters inside `with torch.no_grad():` (param -= lr "
           "* param.grad), as the book's sgd does.")),
    Rule("no_grad_fn", _RUNTIME, (r"element \d+ of tensors does not require grad and does not "
                                  r"have a grad_fn",),
        N_("backward() was called on a value that autograd did not record: it was computed "
           "under torch.no_grad(), from .detach() or .item() or numpy, or from parameters "
           "without requires_grad=True.  Compute the loss from the parameters with torch "
           "operations.")),
    Rule("backward_twice", _RUNTIME, (r"Trying to backward through the graph a second time",),
        N_("backward() ran twice through the same graph: compute the loss anew for each step "
           "(inside the loop), and do not reuse a tensor computed before the loop.")),
    Rule("backward_scalar", _RUNTIME, (r"grad can be implicitly created only for scalar "
                                       r"outputs",),
        N_("backward() without an argument needs a single number: call it on the loss "
           "summed or averaged, l.sum().backward() (as the book does), or l.mean().")),
    Rule("numpy_of_grad", _RUNTIME, (r"Can't call numpy\(\) on Tensor that requires grad",),
        N_("a tensor that autograd records cannot become a numpy array (numpy, np.* "
           "functions): stay with torch operations, or use .detach() when only the value is "
           "needed.")),
    Rule("requires_grad_flag", _RUNTIME, (r"you can only change requires_grad flags of leaf "
                                          r"variables",),
        N_("requires_grad can only be set on tensors you created (leaves), not on results of "
           "operations: set it where the parameter is created, or use .detach().")),
    Rule("grad_is_none", ("AttributeError",), (r"'NoneType' object has no attribute "
                                               r"'(?P<attribute>zero_|data|add_|sub_|mul_|norm)'",),
        N_("something is None where a tensor was expected; with .grad, a tensor's grad is "
           "None until backward() has run, and only leaves with requires_grad=True get one: "
           "after param = param - lr * param.grad the name holds a new tensor without grad.  "
           "Update in place under torch.no_grad() (param -= lr * param.grad).")),
    Rule("parameter_assignment", ("TypeError",), (r"cannot assign '[\w.]{1,40}' as parameter "
                                                  r"'(?P<name>[\w]{1,40})'",),
        N_("a module's parameter ({name}) can only be replaced by an nn.Parameter: to change "
           "its values, write into it in place under torch.no_grad() (copy_, fill_, or "
           "nn.init functions), or wrap the new tensor in nn.Parameter.")),
    # ---------------------------------------------------------------- tensors as values
    Rule("tensor_truth", _RUNTIME, (r"Boolean value of Tensor with more than one value is "
                                    r"ambiguous",),
        N_("if, while, and, or, not and assert need one truth value, but got a tensor of "
           "several: choose element-wise with torch.where or a mask, or use .all() / .any().")),
    Rule("tensor_to_number", ("ValueError", "RuntimeError"), (
        r"only one element tensors can be converted to Python scalars",
        rf"a Tensor with (?P<n>{_INT}) elements cannot be converted to Scalar"),
        N_("a tensor of several elements was used as one number: float(), int(), .item(), "
           "math.exp and the like take a single number.  Use torch functions on tensors "
           "(torch.exp, torch.sqrt), and torch.stack, not torch.tensor, to join a list of "
           "tensors.")),
    Rule("ragged", ("ValueError", "TypeError"), (
        r"expected sequence of length \d+ at dim \d+ \(got \d+\)",
        r"can't convert np\.ndarray of type numpy\.object_"),
        N_("a tensor is made from rows of different lengths (or a numpy array of objects): "
           "torch needs rectangular data.  Make the rows equally long first (pad or truncate "
           "them, as truncate_pad does), or join tensors with torch.stack.")),
    Rule("zero_dim", ("TypeError",), (r"iteration over a 0-d tensor", r"len\(\) of a 0-d tensor"),
        N_("a 0-d tensor (a single number) has no elements to loop over or count: a sum or "
           "mean without dim= reduced everything, or an index took one element.")),
    Rule("size_not_int", ("TypeError",), (
        r"must be tuple of ints, but found element of type (?P<kind>\w{1,20})",
        r"must be tuple of ints, not (?P<kind>\w{1,20})",
        r"type must be tuple of ints,\s?but got (?P<kind>\w{1,20})",
        r"'(?P<kind>float|Tensor)' object cannot be interpreted as an integer",
        r"only integer tensors of a single element can be converted to an index"),
        N_("sizes, range() bounds and indices must be Python ints: a size computed with / is "
           "a float (use //), and a size taken from a tensor needs int(...) or .item().")),
    Rule("tensor_expected", ("TypeError",), (
        r"expected Tensor as element \d+ in argument \d+, but got (?P<kind>(?!NoneType)\w{1,20})",
        r"argument '\w{1,20}' \(position \d+\) must be Tensor, not (?P<kind>(?!NoneType)\w{1,20})"),
        N_("a torch function got a {kind} where it takes a tensor (torch.cat and torch.stack "
           "take a list of tensors): convert it with torch.tensor, or check the value that "
           "became {kind}.")),
    Rule("tuple_result", ("AttributeError",), (
        r"'tuple' object has no attribute '(?P<attribute>\w{1,40})'",),
        N_("a tuple has no .{attribute}: nn.GRU, nn.LSTM and nn.RNN return a pair (outputs, "
           "state), and so do the book's encoders; unpack it: output, state = "
           "self.rnn(X).")),
    Rule("numpy_result", ("AttributeError",), (
        r"'numpy\.ndarray' object has no attribute '(?P<attribute>\w{1,40})'",),
        N_("a numpy array is used as a torch tensor: keep the computation in torch (torch "
           "functions, not np.*), or convert with torch.from_numpy(...).")),
    Rule("python_value", ("AttributeError",), (
        r"'(?P<kind>list|int|float|str|dict|bool)' object has no attribute "
        r"'(?P<attribute>\w{1,40})'",),
        N_("a Python {kind} is used as a tensor (.{attribute}): build a tensor with "
           "torch.tensor(...), or join a list of tensors with torch.stack or torch.cat.")),
    Rule("tensor_attribute", ("AttributeError",), (
        r"'Tensor' object has no attribute '(?P<attribute>\w{1,40})'",),
        N_("tensors have no .{attribute}: check the name in torch's documentation (lists' "
           "append is torch.cat, numpy's astype is .to(dtype), copy() is .clone(); shape is "
           "an attribute, size() a method).")),
    Rule("module_attribute", ("AttributeError",), (
        r"module '(?P<module>[\w.]{1,40})' has no attribute '(?P<attribute>\w{1,40})'",),
        N_("{module}.{attribute} does not exist: check the spelling and the module (functions "
           "are in torch or torch.nn.functional, layers in torch.nn).")),
    Rule("missing_forward", ("NotImplementedError",), (
        r'Module \[(?P<kind>\w{1,40})\] is missing the required "forward" function',),
        N_("{kind} has no forward method: define forward(self, ...) inside the class (spelled "
           "forward, indented as a method of {kind}); calling the module calls it.")),
    Rule("module_init", ("AttributeError",), (r"cannot assign (?:module|parameters) before "
                                              r"Module\.__init__\(\) call",),
        N_("an nn.Module's __init__ must call super().__init__() first, before it assigns "
           "layers or parameters to self.")),
    Rule("missing_member", ("AttributeError",), (
        r"'(?!NoneType'|function'|method'|builtin_function_or_method')"
        r"(?P<kind>[A-Za-z_]\w{0,40})' object has no attribute '(?P<attribute>\w{1,40})'",),
        N_("self.{attribute} is used but was never set on this {kind}: assign it in __init__ "
           "(after super().__init__()), with exactly the name that forward uses.")),
    Rule("none_value", ("TypeError", "AttributeError"), (r"'NoneType' object",
                                                          r"and 'NoneType'",
                                                          r"must be \w{1,20}, not NoneType"),
        N_("a value is None where a tensor or number is needed: a function without a return "
           "statement returns None, and so do in-place list methods (append, sort) and "
           "forward methods that forget to return their result.")),
    Rule("tensor_called", ("TypeError",), (r"'(?P<kind>Tensor|int|float|tuple|list|str)' object "
                                           r"is not callable",),
        N_("a {kind} is called like a function: X.shape() instead of X.shape, or a variable "
           "that has the name of a function or layer you meant to call.")),
    Rule("not_a_module", ("TypeError",), (r"is not a Module subclass",),
        N_("nn.Sequential and add_module take layer objects: nn.ReLU() (not nn.ReLU, "
           "torch.relu or F.relu), nn.Flatten(), nn.Linear(...).")),
    Rule("signature", ("TypeError",), (
        r"(?P<function>[\w.<>]{1,80})\(\) takes (?:from )?\d+ (?:to \d+ )?positional "
        r"arguments? but \d+ (?:was|were) given",
        r"(?P<function>[\w.<>]{1,80})\(\) missing \d+ required (?:positional|keyword-only) "
        r"arguments?",
        r"(?P<function>[\w.<>]{1,80})\(\) got an unexpected keyword argument"),
        N_("{function} was called with arguments its definition does not take: keep the "
           "exercise's signature exactly as in the stub (names, order, defaults), and call "
           "layers with what their forward takes.")),
    Rule("optimizer_params", ("TypeError", "ValueError"), (
        r"params argument given to the optimizer should be an iterable of Tensors",
        r"optimizer got an empty parameter list"),
        N_("an optimizer takes the parameters to train, net.parameters() (or a list of "
           "tensors with requires_grad=True); an empty list means the network has no "
           "registered parameters: layers must be attributes of an nn.Module.")),
    Rule("list_math", ("TypeError",), (r"can't multiply sequence by non-int",
                                       r"unsupported operand type\(s\) for [^:]{1,5}: "
                                       r"'(?:list|tuple)'"),
        N_("arithmetic on a Python list or tuple does not work element-wise: make a tensor "
           "first (torch.tensor(...)).")),
    # ---------------------------------------------------------------- indexing
    Rule("dim_range", ("IndexError",), (
        rf"Dimension out of range \(expected to be in range of \[(?P<low>{_INT}), "
        rf"(?P<high>{_INT})\], but got (?P<dim>{_INT})\)",),
        N_("dim={dim} does not exist in this tensor, whose dimensions are {low} to {high}: "
           "it has fewer dimensions than the code assumes (an input without a batch "
           "dimension, or one removed by an earlier sum, squeeze or index).")),
    Rule("index_range", ("IndexError", "RuntimeError"), (
        rf"index (?P<index>{_INT}) is out of bounds for dimension (?P<dim>{_INT}) with size "
        rf"(?P<size>{_INT})",),
        N_("index {index} on dimension {dim}, whose size is {size}: valid indices are 0 to "
           "size - 1.  A loop bound is off by one (range(n + 1)), or the size comes from the "
           "wrong dimension.")),
    Rule("too_many_indices", ("IndexError",), (
        rf"too many indices for tensor of dimension (?P<dims>{_INT})",),
        N_("more indices than the tensor's {dims} dimensions: print its shape; an input may "
           "have fewer dimensions than you expect.")),
    Rule("embedding_range", ("IndexError",), (r"index out of range in self",),
        N_("an nn.Embedding got a token index that is not below its num_embeddings (or is "
           "negative): build it with the vocabulary's size, len(vocab).")),
    Rule("target_range", ("IndexError",), (rf"Target (?P<target>{_INT}) is out of bounds",),
        N_("a class label ({target}) is not below the number of classes: the loss needs "
           "scores of shape (batch, classes) and labels in 0 to classes - 1.")),
    Rule("loss_batch", ("ValueError",), (
        rf"Expected input batch_size \((?P<a>{_INT})\) to match target batch_size "
        rf"\((?P<b>{_INT})\)",),
        N_("the loss got {a} predictions and {b} labels: give it scores of shape (N, "
           "classes) and labels of shape (N,), reshaped the same way (for sequences, "
           "permute the scores to (batch, classes, steps) or flatten both).")),
    Rule("list_index", ("IndexError",), (r"(?:list|tuple) index out of range",),
        N_("a list or tuple is shorter than the index used: check the loop bounds and the "
           "length this input gives.")),
    Rule("unpack", ("ValueError",), (
        rf"too many values to unpack \(expected (?P<want>{_INT})\)",
        rf"not enough values to unpack \(expected (?P<want>{_INT}), got (?P<got>{_INT})\)"),
        N_("unpacking (a, b = ...) needs exactly as many values as names ({want}): h, w = "
           "X.shape fails when X has another number of dimensions (a batch, channels), and "
           "recurrent layers return (outputs, state).")),
    # ---------------------------------------------------------------- Python
    Rule("book_helper", ("NameError", "AttributeError"), (
        r"^(?P<alias>d2l\w{0,20})\.(?P<name>[A-Za-z_]\w{0,40})\b",),
        N_("the book's package is not used by the grader: {alias}.{name} stands for a {name} "
           "of your own.  Define {name} in your file or notebook (the book's code for it, "
           "or your solution of that exercise).")),
    Rule("missing_import", ("NameError",), (rf"name '(?P<name>{_NAME})' is not defined",),
        N_("{name} is used without being imported: add `{statement}` at the top of the file "
           "(or in the notebook's first cell)."), _import_of),
    Rule("undefined_name", ("NameError",), (rf"name '(?P<name>{_NAME})' is not defined",),
        N_("{name} is not defined where it is used: a typo, a variable of another function "
           "or only set in one branch, or a helper your file or notebook does not define "
           "(everything your code calls must be defined in it, in a cell that runs).")),
    Rule("unbound_local", ("UnboundLocalError",), (),
        N_("a variable that the function assigns somewhere is read before its first "
           "assignment (set it before the loop or if, e.g. total = 0).")),
    Rule("division_by_zero", ("ZeroDivisionError",), (),
        N_("division by zero: a count or size is 0 for this input (an empty sequence, a "
           "valid length of 0, p = 1 in 1 / (1 - p)): handle that case as the docstring "
           "says.")),
    Rule("recursion", ("RecursionError",), (),
        N_("a function calls itself without end: forward calling self(...), a method "
           "calling itself by name, or a name of yours that shadows the function you mean.")),
    Rule("key", ("KeyError",), (),
        N_("a dict has no such key: look it up with .get(key, default) where a key may be "
           "missing (an unknown token maps to <unk>).")),
    Rule("assertion", ("AssertionError",), (),
        N_("an assert in your own code failed on the call shown: the input is one your code "
           "does not expect, or the assert is wrong for it.")),
    Rule("no_module", ("ModuleNotFoundError", "ImportError"), (
        rf"No module named '(?P<module>{_NAME})'",),
        N_("the module {module} is not available where your code is graded: use torch and "
           "Python's standard library, and keep plotting or downloading code out of the "
           "exercises' definitions.")),
    Rule("syntax", ("SyntaxError", "IndentationError", "TabError"), (),
        N_("Python cannot read this file: fix the line shown (a missing colon, bracket or "
           "quote; indentation of 4 spaces, never tabs and spaces mixed).")),
)


def rule_for(type_name: str, message: str) -> tuple[Rule, dict] | None:
    """The first rule that explains the error, with its placeholders; None when none does."""
    message = message or ""
    for rule in RULES:
        if not rule.patterns:
            if rule.types and type_name in rule.types:
                return rule, rule.values(None) if rule.values else {}
            continue
        values = rule.match(type_name, message)
        if values is not None:
            return rule, values
    return None


def hint_for_error(type_name: str, message: str) -> str | None:
    """The hint for an exception of type ``type_name`` (its class's name) with ``message``
    (its text, as the worker sent it), in the current language; None when no rule explains
    it."""
    found = rule_for(type_name, message)
    if found is None:
        return None
    rule, values = found
    return _(rule.hint, **values)


# "TypeName: message", as a scenario reports an exception it caught
_REPORTED = re.compile(r"(?P<type>[A-Z]\w{0,40}(?:Error|Exception|Warning)): (?P<message>.*)",
                       re.DOTALL)


def hint_for_reported(actual) -> str | None:
    """The hint for an exception reported as text, ``"TypeName: message"`` (a check's
    ``actual`` where the student's code raised inside a scenario); None for anything else."""
    if not isinstance(actual, str):
        return None
    found = _REPORTED.match(actual)
    return hint_for_error(found["type"], found["message"]) if found else None

"""A trained language model as a folder that loads without the training stack.

``lstm-nlp-export checkpoint=RUN out=DIR`` writes the layout of a Hugging Face model folder:
``model.safetensors`` (the weights, no pickle), ``config.json`` (everything that rebuilds the
model), ``tokenizer.json`` and a model card ``README.md``; ``format=onnx`` or
``format=torchscript`` adds the language-model step (token ids, h, c -> log-probabilities, h, c)
as ``model.onnx`` or ``model.torchscript.pt``.  :func:`lstm_nlp.load` reads such a folder with
torch, safetensors and tokenizers only (:mod:`~lstm_nlp.export.read`): no Lightning, no Hydra.
"""

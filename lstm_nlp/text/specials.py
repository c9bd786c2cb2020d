"""The special tokens of every vocabulary (no imports: options modules and --help read them)."""

UNK, EOS, PAD = "<unk>", "<eos>", "<pad>"
SPECIALS = (UNK, EOS, PAD)

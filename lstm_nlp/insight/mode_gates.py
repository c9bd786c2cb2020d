"""``lstm-nlp-inspect mode=gates``: ``OUT/gates.json`` and ``OUT/gates_layer<k>.png`` for one
sentence."""

from __future__ import annotations

from lstm_nlp.insight.options import InspectOptions
from lstm_nlp.insight.states import Inspectable


def run(
    options: InspectOptions, insp: Inspectable, logger: dict | None, source: dict | None = None
) -> list[str]:
    """Read the sentence, write the files; returns the lines to print (``source``: unused)."""
    from lstm_nlp.atomic import write_json
    from lstm_nlp.insight.gates import check_units, gate_record
    from lstm_nlp.insight.heatmap import plot_layer
    from lstm_nlp.insight.images_to_loggers import send_images

    units = check_units(options.units, insp.hidden_size)
    record = gate_record(insp, options.sentence, units, options.top_k, options.select_by)
    out = options.out_dir()
    write_json(out / "gates.json", record)
    images = {}
    for layer in record["layers"]:
        path = out / f"gates_layer{layer['layer']}.png"
        how = (
            "units named in units="
            if units
            else f"top {len(layer['shown'])} units by variance of the {options.select_by}"
        )
        plot_layer(
            layer, record["tokens"], path, f'layer {layer["layer"]} ({how}): "{record["sentence"]}"'
        )
        images[f"inspect/gates_layer{layer['layer']}"] = path
    logged = send_images(
        logger,
        out,
        images,
        {"mode": "gates", "checkpoint": str(insp.checkpoint), "sentence": record["sentence"]},
    )
    lines = [
        f"lstm-nlp-inspect: {len(record['tokens'])} tokens x {insp.num_layers} layer(s) of "
        f"{insp.hidden_size} units -> {out / 'gates.json'}, "
        f"{', '.join(p.name for p in images.values())}"
    ]
    if record["unknown"]:
        lines.append(
            "lstm-nlp-inspect: note: read as <unk> (not in the vocabulary): "
            f"{', '.join(record['unknown'])}"
        )
    for layer in record["layers"]:
        lines.append(f"  layer {layer['layer']}: units shown {layer['shown']}")
    if logged:
        lines.append(f"lstm-nlp-inspect: images also logged to {logged}")
    return lines

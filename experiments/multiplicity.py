r"""Issue #44 point 3: Holm's adjustment for the claim families of experiments/README.md
sections 1–8 (sections 9 and 10 adjust their own).

  python experiments/multiplicity.py      # writes experiments/results/multiplicity.md

A family is every test the README quotes for one claim (its section's comparisons for one row
of the claim table: the *section family*); the tests quoted in the claim table's own cell
form the *claim family*. Holm–Bonferroni over each (`rwp_long_report.holm`). The p-values are
the README's as quoted (Welch two-sided unless marked; rounded as printed); each reading keeps
its direction only where the adjusted p is below 0.05, else it reads "no difference
detected". With 3 seeds a side, a two-sided Mann–Whitney test cannot go below p = 0.1 (2/20,
complete separation), so a rank test cannot confirm any 3-seed reading at 0.05; where seeds
are 5 a side (sitting C, section 10) it can (down to 0.008).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import rwp_long_report  # pylint: disable=g-import-not-at-top,wrong-import-position

ALPHA = 0.05

# (section, claim-table row, [(comparison, raw p, reading as written, in the claim cell)]).
FAMILIES = [
    ("1. WGAN-LP vs WGAN-GP on the toy sets (3 v 3)", 1, [
        ("Swiss roll: LP's final EMD across λ (ANOVA)", 0.99, "no difference detected", True),
        ("Swiss roll λ = 10: GP's final EMD 1.03 vs 0.26", 0.016, "higher (fails)", True),
        ("Swiss roll λ = 10: W1/EMD −0.10 vs 0.67", 0.12, "not clear of noise", False),
        ("Swiss roll λ = 5: late jumps 0.163 vs 0.017", 0.083, "inconclusive", False),
        ("Swiss roll λ = 10: late jumps 0.126 vs 0.017", 0.052, "inconclusive", False),
        ("Swiss roll λ = 5: final EMD 0.51 vs 0.26", 0.013, "higher", False),
        ("Swiss roll λ = 1: final EMD 0.304 vs 0.262", 0.018, "higher", False),
        ("Swiss roll λ = 100: GP's final EMD 1.30 vs LP", 0.033, "higher", False),
        ("Swiss roll: LP's W1/EMD λ = 1 vs 100 (0.75 → 0.65)", 0.29, "not clear of noise",
         False),
        ("8 Gaussians: LP across λ (ANOVA)", 0.62, "no difference detected", True),
        ("8 Gaussians λ = 1: 0.389 vs 0.388", 0.93, "no difference detected", False),
        ("8 Gaussians λ = 5: 0.448 vs 0.380", 0.028, "higher (a little behind)", False),
        ("8 Gaussians λ = 10: final EMD 1.36 vs 0.38", 0.042, "higher (fails)", False),
        ("8 Gaussians λ = 10: late jumps 0.100 vs 0.016", 0.033, "more", False),
        ("8 Gaussians λ = 100: GP's final EMD 1.06 vs LP", 0.046, "higher", False),
        ("8 Gaussians: LP's W1/EMD λ = 1 vs 100 (1.21 → 0.88)", 0.0008, "lower", False),
        ("25 Gaussians: LP across λ (ANOVA)", 0.007, "a trend clear of noise", True),
        ("25 Gaussians λ = 5: late jumps 0.153 vs 0.018", 0.019, "more (oscillates)", False),
        ("25 Gaussians λ = 10: late jumps 0.185 vs 0.018", 0.12, "inconclusive", False),
        ("25 Gaussians λ = 5: final EMD 0.68 vs 0.31", 0.11, "not clear of noise", False),
        ("25 Gaussians λ = 10: final EMD 0.85 vs 0.31", 0.13, "not clear of noise", False),
        ("25 Gaussians λ = 5: W1/EMD 0.20 vs 0.62", 0.016, "lower", False),
        ("25 Gaussians λ = 10: W1/EMD −0.02 vs 0.58", 0.11, "not clear of noise", False),
        ("25 Gaussians λ = 1: final EMD 0.325 vs 0.321", 0.32, "no difference detected", False),
        ("25 Gaussians λ = 100: final EMD 3.2 vs LP", 0.10, "not clear of noise", False),
        ("25 Gaussians λ = 100: late jumps", 0.02, "more", False),
        ("25 Gaussians: LP's W1/EMD λ = 1 vs 100 (0.84 → 0.49)", 0.0003, "lower", False),
    ]),
    ("2–4. Sitting B: RWP on MNIST, 180 s (3 v 3)", 2, [
        ("RWP h = 0.1 vs WGAN-GP, +26.0", 0.001, "higher (does not reproduce)", True),
        ("RWP h = 0.1 vs the 10-step control, +34.8", 0.0009, "higher", False),
        ("h = 1 vs the control, +8.1", 0.007, "higher (behind)", False),
        ("h = 10 vs the control, −0.2", 0.96, "no difference detected", True),
        ("h = 78.4 vs the control, +5.4", 0.12, "inconclusive", False),
        ("h = 0.1 → h = 1, −26.6", 0.0002, "lower", False),
        ("h = 1 vs h = 10", 0.13, "no difference detected", False),
        ("h = 10 vs h = 78.4", 0.25, "no difference detected", False),
        ("h = 1 vs WGAN-GP, −0.6", 0.81, "no difference detected", False),
        ("h = 10 vs WGAN-GP, −9.0", 0.11, "no difference detected", False),
        ("h = 78.4 vs WGAN-GP, −3.3", 0.33, "no difference detected", False),
        ("the control vs WGAN-GP, −8.7", 0.051, "no difference detected", True),
        ("DRAGAN + RWP vs DRAGAN, +129.1", 0.046, "higher (does not reproduce)", True),
        ("Standard + RWP vs Standard, +30.3", 0.092, "inconclusive", True),
        ("ℓ = 5 control vs RWP (Standard), −32.2", 0.083, "inconclusive", False),
        ("ℓ = 5 control vs RWP (DRAGAN), −124.8", 0.048, "lower (ahead)", False),
        ("ℓ = 5 control vs Standard, −1.9", 0.074, "inconclusive", False),
        ("ℓ = 5 control vs DRAGAN, +4.3", 0.15, "inconclusive", False),
        ("one z per phase vs a fresh z, 352.6 vs 64.6", 0.0014, "higher (far worse)", False),
        ("per-pixel h, Standard, 15.1 vs 15.9", 0.33, "inconclusive", False),
        ("per-pixel h, DRAGAN, 27.9 vs 18.8", 0.14, "inconclusive", False),
    ]),
    ("2–4. Sitting C: RWP on MNIST, 600 s (5 v 5; the half-rate control 3 v 5)", 2, [
        ("final FID, RWP vs WGAN-GP, +12.0", 1.2e-5, "higher (does not reproduce)", True),
        ("late rises, RWP vs WGAN-GP, −1.6", 0.003, "fewer", True),
        ("final FID, RWP vs the control, +9.2", 0.075, "inconclusive", False),
        ("late rises, RWP vs the control, −6.8", 0.0005, "fewer", True),
        ("final FID, the control vs WGAN-GP, +2.8", 0.51, "no difference detected", False),
        ("late rises, the control vs WGAN-GP, +5.2", 0.0007, "more", False),
        ("final FID, half rate vs the control, −1.3", 0.75, "no difference detected", False),
        ("late rises, half rate vs the control, −2.8", 0.20, "inconclusive", False),
        ("final FID, half rate vs RWP, −10.5", 0.0006, "lower", True),
        ("late rises, half rate vs RWP, +4.0", 0.12, "inconclusive", True),
        ("final FID, half rate vs WGAN-GP, +1.5", 0.29, "no difference detected", False),
        ("late rises, half rate vs WGAN-GP, +2.4", 0.26, "no difference detected", False),
        ("time to FID 50, RWP vs WGAN-GP, 264 vs 168 s", 5e-7, "later", True),
        ("time to FID 50, RWP vs the control, 264 vs 100 s", 8e-5, "later", False),
        ("largest rise, RWP vs WGAN-GP, 31.2 vs 0.4", 0.005, "larger (spikier)", True),
        ("largest rise, RWP vs the control, 31.2 vs 15.8", 0.051, "inconclusive", False),
        ("mean |change| after 300 s, 1.13 vs 0.79", 0.002, "larger", False),
        ("largest late rise, half rate vs the control, 3.2 vs 15.4", 0.03, "smaller", False),
    ]),
    ("2–4. RWP at equal updates (sittings A–C)", 2, [
        ("C: RWP − WGAN-GP at 3,000 critic updates, −19.4", 2e-7, "lower", True),
        ("C: RWP − WGAN-GP at 5,825 critic updates, −0.9", 0.56, "no difference detected",
         True),
        ("C: RWP − the control at 5,825 critic updates, +11.9", 4e-5, "higher", True),
        ("B: RWP − WGAN-GP at equal critic updates, −78.8", 0.0003, "lower", False),
        ("B: RWP − the control, +32.0", 6e-5, "higher", False),
        ("B: h = 10 − the control, −2.1", 0.49, "no difference detected", False),
        ("A: RWP − WGAN-GP, −26.8", 0.0008, "lower", False),
        ("A: RWP − the control, +24.7", 0.0007, "higher", False),
        ("C: at equal generator updates, +91.5", 4e-8, "higher", False),
        ("KID, C, +1.7", 0.003, "higher", False),
        ("KID, B, +11.1", 0.0002, "higher", False),
        ("KID, A, +5.6", 0.018, "higher", False),
        ("KID, B, h = 10 vs WGAN-GP, −5.3", 0.002, "lower", False),
        ("KID, B, h = 10 vs the control", 0.2, "no difference detected", False),
    ]),
    ("2–4. Sitting A (shared the machine; superseded by B and C)", 2, [
        ("180 s: RWP vs WGAN-GP, +22.8", 0.0009, "higher", False),
        ("180 s: one z per phase, +156.0", 0.002, "higher", False),
        ("180 s: per-pixel h vs WGAN-GP, −4.8", 0.11, "inconclusive", False),
        ("180 s: per-pixel h vs the control, +1.0", 0.81, "inconclusive", False),
        ("180 s: the control vs WGAN-GP, −5.8", 0.21, "inconclusive", False),
        ("180 s: Standard + RWP, +26.8", 0.02, "higher", False),
        ("180 s: DRAGAN + RWP, +116.8", 0.037, "higher", False),
        ("180 s: per-pixel h, Standard, +2.1", 0.23, "inconclusive", False),
        ("180 s: per-pixel h, DRAGAN, +4.0", 0.14, "inconclusive", False),
        ("600 s: RWP vs WGAN-GP, +8.3", 0.03, "higher (behind)", False),
        ("600 s: rises, RWP vs WGAN-GP", 0.095, "inconclusive", False),
        ("600 s: rises, RWP vs the control", 0.009, "fewer (clear)", False),
        ("600 s: RWP vs the control, 18.9 vs 10.5", 0.005, "higher (reversed)", False),
        ("600 s: WGAN-GP vs the control", 0.97, "no difference detected", False),
    ]),
    ("2–4. SBE (sittings A and B, 3 v 3)", 3, [
        ("B: vs own-optimizer WGAN-GP at 200 generator updates, 240.5 vs 351.3", 0.010,
         "lower (ahead)", False),
        ("B: the same at 400 generator updates, −52", 0.001, "lower", True),
        ("B: the same at 650 generator updates", 0.0007, "lower", False),
        ("B: same optimizer at 200 generator updates, 166.6 vs 240.5", 0.0003, "lower", True),
        ("B: same optimizer at 400 generator updates, +6.6", 0.20, "no difference detected",
         True),
        ("B: same optimizer at 600 generator updates, +2.1", 0.24, "no difference detected",
         True),
        ("B: same optimizer at 650 generator updates, +1.5", 0.11, "no difference detected",
         True),
        ("B: SBE with WGAN-GP's optimizer at 200 generator updates, +40.2", 0.069,
         "inconclusive", False),
        ("B: cost per update, 1.38×", 0.002, "higher", True),
        ("B: 180 s vs the preset baseline, +3.6", 0.24, "no difference detected", False),
        ("B: 180 s vs same-optimizer WGAN-GP, +11.4", 0.003, "higher", False),
        ("B: the optimizer alone, WGAN-GP 38.6 → 30.8", 0.048, "lower", True),
        ("B: per outer iteration, −13.5", 0.0007, "lower", False),
        ("A: per outer iteration, −9.4", 0.013, "lower", False),
        ("A: at 400 generator updates, −55", 0.0006, "lower", True),
        ("A: 180 s, +3.8", 0.14, "no difference detected", False),
    ]),
    ("2–4. WWGAN (sittings A and B, 3 v 3)", 4, [
        ("B: final FID, +9.4 (48.0 vs 38.6)", 0.028, "higher", True),
        ("B: cost per outer iteration, 1.10×", 0.002, "higher", True),
        ("A: final FID, +3.2", 0.21, "inconclusive", True),
        ("A: cost per outer iteration, 1.03×", 0.24, "not clear of noise", False),
    ]),
    ("6. The ResNet recipe (paired over 3 seeds; the last Welch 3 v 3)", None, [
        ("EMA 0.99 (copied statistics) − live, +161.7", 0.0015, "higher", False),
        ("EMA 0.99 (averaged statistics) − live, +135.8", 0.0077, "higher", False),
        ("EMA 0.9 − live, +9.7", 0.048, "higher (worse)", False),
        ("linear decay: EMA − live, +48.4", 0.41, "inconclusive", False),
        ("EMA 0.9 vs 0.99, 117 vs 269", 0.0008, "lower", False),
        ("averaged vs copied statistics, −26", 0.17, "inconclusive", False),
        ("linear decay vs constant, live, +125", 0.098, "inconclusive", False),
    ]),
    ("7. The evaluation protocol (paired over 3 latent draws)", 7, [
        ("DCGAN: moving − batch statistics, +1.9", 0.055, "inconclusive", False),
        ("DCGAN: moving − standing statistics, +1.3", 0.065, "inconclusive", False),
        ("DCGAN: batch − standing, −0.5", 0.36, "no difference detected", False),
        ("ResNet: moving − batch statistics, +15.0", 0.0012, "higher", True),
        ("ResNet: moving − standing statistics, +14.7", 0.0002, "higher", True),
        ("ResNet: batch − standing, −0.3", 0.64, "no difference detected", False),
        ("ResNet: recall 0.38 vs 0.43", 0.048, "lower (suggestive)", False),
    ]),
    ("8. Conditional WGAN-GP and DiffAugment on MNIST (3 v 3)", 8, [
        ("projection vs unconditional, final FID −4.2", 0.29, "inconclusive", True),
        ("AC-GAN vs unconditional, final FID +3.2", 0.42, "inconclusive", True),
        ("projection at equal outer iterations, −11.8", 0.008, "lower (better)", True),
        ("AC-GAN at equal outer iterations, +1.6", 0.72, "no difference detected", False),
        ("class accuracy, projection 0.76 vs AC-GAN 0.26", 0.0002, "higher", True),
        ("intra-class FID, projection 64 vs AC-GAN 160", 0.0005, "lower", True),
        ("final FID, projection 34.7 vs AC-GAN 42.1", 0.03, "lower", False),
        ("DiffAugment, 500 digits, +38", 0.02, "higher", True),
        ("DiffAugment, 5,000 digits, +39", 0.0007, "higher", True),
        ("DiffAugment at equal outer iterations, 500 digits, +33", 0.03, "higher", False),
        ("DiffAugment at equal outer iterations, 5,000 digits", 0.0005, "higher", False),
        ("500-digit vs 5,000-digit baseline", 0.80, "no difference detected", False),
        ("cost: DiffAugment, 500 digits, 1.11×", 0.01, "higher", True),
        ("cost: DiffAugment, 5,000 digits, 1.12×", 0.001, "higher", True),
        ("cost: projection, 1.16× (p < 0.001)", 0.001, "higher", False),
        ("cost: AC-GAN, 1.04×", 0.27, "no difference detected", False),
    ]),
]

_NO_DIRECTION = ("no difference detected", "inconclusive", "not clear of noise")


def after_holm(reading, adjusted):
  """The reading as written where it has no direction or Holm keeps it; else ndd."""
  if reading.startswith(_NO_DIRECTION) or adjusted < ALPHA:
    return reading
  return "no difference detected"


def rows(family_tests):
  """[(comparison, raw p, section-family Holm p, claim-family Holm p or None, reading,
  after section Holm, after claim Holm or None)]."""
  section = rwp_long_report.holm([p for _, p, _, _ in family_tests])
  claim_tests = [index for index, test in enumerate(family_tests) if test[3]]
  claim = dict(zip(claim_tests, rwp_long_report.holm([family_tests[i][1]
                                                       for i in claim_tests])))
  return [(name, p, section[i], claim.get(i), reading, after_holm(reading, section[i]),
           None if i not in claim else after_holm(reading, claim[i]))
          for i, (name, p, reading, _) in enumerate(family_tests)]


def write(output_dir):
  lines = ["# Holm's adjustment per claim family, sections 1–8 (issue #44)", "",
           "Generated by `python experiments/multiplicity.py` from the p-values "
           "`experiments/README.md` quotes (the script's docstring defines the families). "
           "Section family: every test the section quotes for the claim; claim family: those "
           "in the claim table's cell. A reading keeps its direction where the adjusted p is "
           "below 0.05. Changed readings are in bold.", ""]
  for title, row, tests in FAMILIES:
    claim_size = sum(test[3] for test in tests)
    lines += [f"## {title}" + (f" (claim row {row})" if row else ""), "",
              f"Section family: {len(tests)} tests; claim family: {claim_size}.", "",
              "| comparison | p | Holm (section) | Holm (claim) | reading | after Holm "
              "(section) | after Holm (claim) |", "|---|---|---|---|---|---|---|"]
    for name, p, section, claim, reading, after_section, after_claim in rows(tests):
      mark = lambda after: "—" if after is None else (
          after if after == reading else f"**{after}**")
      lines.append(f"| {name} | {p:.2g} | {section:.2g} | "
                   f"{'—' if claim is None else f'{claim:.2g}'} | {reading} | "
                   f"{mark(after_section)} | {mark(after_claim)} |")
    lines.append("")
  with open(os.path.join(output_dir, "multiplicity.md"), "w", encoding="utf-8") as handle:
    handle.write("\n".join(lines).rstrip("\n") + "\n")


if __name__ == "__main__":
  write(os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"))

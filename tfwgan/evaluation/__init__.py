"""Evaluation of generators: FID / KID / Inception score (held to TF-GAN's math) and exact EMD."""

from tfwgan.evaluation import classifiers
from tfwgan.evaluation.emd import emd
from tfwgan.evaluation.scoring import evaluate
from tfwgan.evaluation.metrics import fid_from_activations
from tfwgan.evaluation.metrics import frechet_distance
from tfwgan.evaluation.metrics import fid_from_statistics
from tfwgan.evaluation.metrics import inception_score_from_logits
from tfwgan.evaluation.metrics import kid_from_activations
from tfwgan.evaluation.metrics import Statistics

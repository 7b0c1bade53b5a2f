"""Evaluation of generators: FID / KID / Inception score (held to TF-GAN's math), improved
precision/recall and density/coverage (k-NN balls), TF-GAN's sliced Wasserstein distance and
the exact EMD."""

from tfwgan.evaluation import classifiers
from tfwgan.evaluation.emd import emd
from tfwgan.evaluation.scoring import evaluate
from tfwgan.evaluation.scoring import noise_floor
from tfwgan.evaluation.metrics import fid_from_activations
from tfwgan.evaluation.metrics import frechet_distance
from tfwgan.evaluation.metrics import fid_from_statistics
from tfwgan.evaluation.metrics import inception_score_from_logits
from tfwgan.evaluation.metrics import kid_from_activations
from tfwgan.evaluation.metrics import kid_over_subsets
from tfwgan.evaluation.metrics import Statistics
from tfwgan.evaluation.neighbours import density_coverage
from tfwgan.evaluation.neighbours import precision_recall
from tfwgan.evaluation.swd import sliced_wasserstein_distance

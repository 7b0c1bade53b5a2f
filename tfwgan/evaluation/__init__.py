"""Evaluation of generators: exact EMD for low-dimensional data."""

from tfwgan.evaluation.emd import emd

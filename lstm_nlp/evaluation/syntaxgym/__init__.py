"""SyntaxGym test suites (Hu et al. 2020): suite files, prediction formulas, scores, circuits."""

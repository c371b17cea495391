"""Data files shipped with mteam: the sample team and the sample member base."""

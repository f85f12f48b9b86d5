"""The demo province (``cchc load-demo``): units, people, frameworks and assessments in every
state, dossiers, surveys and monthly e-government figures, all created through the real services.
The top of the house: it uses every app, and no app uses it."""

MATCH (t:Topic)
  WHERE t.name = $name
  RETURN t
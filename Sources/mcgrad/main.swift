print("mcgrad")
